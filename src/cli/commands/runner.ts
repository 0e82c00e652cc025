import { resolve } from "node:path";
import { createHostBackend, createSandboxBackend } from "../../executor/index.js";
import { createLogger, PoolError } from "../../lib/index.js";
import { createForgeClient } from "../../protocol/index.js";
import { loadRegistration, register, startRunner } from "../../runner/index.js";
import { type Io, parseCommandArgs } from "../args.js";
import { jobExecutor } from "../assembly/job-executor.js";
import { VERSION } from "../version.js";

const USAGE =
  "runnerpool runner register --instance URL --token TOKEN [--name N] [--labels a,b] [--file .runner] | runner start [--file .runner] [--capacity N] [--backend host|sandbox] [--workdir DIR] [--fetch-wait MS]";

/** A single runner against any forge: what act_runner's register and daemon do. */
export async function runnerCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseCommandArgs(
    rest,
    {
      instance: { type: "string" },
      token: { type: "string" },
      name: { type: "string", default: `runnerpool-${process.pid}` },
      labels: { type: "string", default: "self-hosted:host,linux:host" },
      file: { type: "string", default: ".runner" },
      capacity: { type: "string", default: "1" },
      backend: { type: "string", default: "host" },
      workdir: { type: "string", default: ".runnerpool/work" },
      "fetch-wait": { type: "string", default: "0" },
    },
    USAGE,
  );
  const controller = new AbortController();
  const file = resolve(io.cwd, values.file ?? ".runner");
  const labels = (values.labels ?? "").split(",").filter((l) => l !== "");
  if (sub === "register") {
    if (!values.instance || !values.token) {
      throw new PoolError("INVALID_ARGUMENT", `runner register needs --instance and --token\nusage: ${USAGE}`);
    }
    const reg = await register({
      client: createForgeClient({ url: values.instance, version: VERSION }),
      url: values.instance,
      token: values.token,
      name: values.name ?? "runnerpool",
      labels,
      file,
      signal: controller.signal,
    });
    io.stdout(
      `registered runner "${reg.name}" (id ${reg.id}) with ${reg.address}; credentials in ${file} (mode 0600)\n`,
    );
    return 0;
  }
  if (sub === "start") {
    const registration = loadRegistration(file);
    const capacity = Number(values.capacity);
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new PoolError("INVALID_ARGUMENT", `--capacity "${values.capacity}" must be a whole number >= 1`);
    }
    const workdirParent = resolve(io.cwd, values.workdir ?? ".runnerpool/work");
    const backend =
      values.backend === "sandbox"
        ? createSandboxBackend({ workdirParent })
        : values.backend === "host"
          ? createHostBackend({ workdirParent })
          : undefined;
    if (!backend) throw new PoolError("INVALID_ARGUMENT", `--backend "${values.backend}": use host or sandbox`);
    const handle = await startRunner({
      registration,
      labels: registration.labels,
      capacity,
      execute: jobExecutor(backend),
      settings: { version: VERSION, fetchWaitMs: Number(values["fetch-wait"]) },
      logger: createLogger({ level: "info" }),
      signal: controller.signal,
    });
    io.stdout(`runner "${registration.name}" polling ${registration.address} with capacity ${capacity}\n`);
    const stop = () => void handle.drain();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    await handle.done;
    return 0;
  }
  throw new PoolError("INVALID_ARGUMENT", `usage: ${USAGE}`);
}
