import { resolve } from "node:path";
import { createHostBackend, createSandboxBackend } from "../../executor/index.js";
import { createLogger, PoolError } from "../../lib/index.js";
import { createForgeClient } from "../../protocol/index.js";
import { loadRegistration, register, startRunner } from "../../runner/index.js";
import { type Io, parseCommandArgs } from "../args.js";
import { jobExecutor } from "../assembly/job-executor.js";
import { readTokenFile } from "../secret-input.js";
import { VERSION } from "../version.js";

const USAGE =
  "runnerpool runner register --instance URL [--token-file FILE | env RUNNERPOOL_REGISTRATION_TOKEN] [--name N] [--labels a,b] [--file .runner] | runner start [--file .runner] [--capacity N] [--backend host|sandbox] [--workdir DIR] [--fetch-wait MS]";

/** A single runner against any forge: what act_runner's register and daemon do. */
export async function runnerCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseCommandArgs(
    rest,
    {
      instance: { type: "string" },
      token: { type: "string" },
      "token-file": { type: "string" },
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
    if (!values.instance) throw new PoolError("INVALID_ARGUMENT", `runner register needs --instance\nusage: ${USAGE}`);
    const token = registrationToken(values, io);
    const reg = await register({
      client: createForgeClient({ url: values.instance, version: VERSION }),
      url: values.instance,
      token,
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

/** The environment variable `runner register` reads the registration token from. */
export const TOKEN_VARIABLE = "RUNNERPOOL_REGISTRATION_TOKEN";

/**
 * The registration token from `--token-file`, else the environment; `--token` still works but puts the
 * token in the process arguments (`ps`), so it is warned about.
 */
function registrationToken(values: { token?: string; "token-file"?: string }, io: Io): string {
  if (values.token !== undefined && values["token-file"] !== undefined) {
    throw new PoolError("INVALID_ARGUMENT", "give --token-file or --token, not both");
  }
  if (values["token-file"] !== undefined) {
    return readTokenFile(resolve(io.cwd, values["token-file"]), "--token-file");
  }
  if (values.token !== undefined) {
    io.stderr(
      `warning: --token puts the registration token in the process arguments, which any local user can read: use --token-file FILE or ${TOKEN_VARIABLE}\n`,
    );
    return values.token;
  }
  const fromEnv = process.env[TOKEN_VARIABLE]?.trim();
  if (!fromEnv) {
    throw new PoolError(
      "INVALID_ARGUMENT",
      `runner register needs the registration token: --token-file FILE or ${TOKEN_VARIABLE} in the environment\nusage: ${USAGE}`,
    );
  }
  return fromEnv;
}
