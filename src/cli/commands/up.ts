import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { defaultConfig, loadConfig, type PoolConfig } from "../../config/index.js";
import { createCoordinator, startCoordinatorServer } from "../../coordinator/index.js";
import { isSandboxAvailable } from "../../executor/index.js";
import { createLogger, PoolError } from "../../lib/index.js";
import { startLocalPool } from "../../pool/index.js";
import { type Io, parseCommandArgs } from "../args.js";
import { Progress } from "../progress.js";
import { resolveRoles } from "../roles.js";
import { VERSION } from "../version.js";
import { watchCoordinator } from "../watch.js";

const USAGE = "runnerpool up [--config runnerpool.toml] [--listen HOST:PORT] [--json]";

function parseListen(listen: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m) throw new PoolError("INVALID_ARGUMENT", `--listen "${listen}" is not HOST:PORT, e.g. 127.0.0.1:3930`);
  return { host: m[1] || "127.0.0.1", port: Number(m[2]) };
}

function readToken(config: PoolConfig, cwd: string): string {
  if (config.forge.registration_token) return config.forge.registration_token;
  if (config.forge.registration_token_file) {
    const file = resolve(cwd, config.forge.registration_token_file);
    try {
      return readFileSync(file, "utf8").trim();
    } catch (err) {
      throw new PoolError("CONFIG_INVALID", `forge.registration_token_file "${file}": ${(err as Error).message}`);
    }
  }
  throw new PoolError(
    "CONFIG_INVALID",
    "forge.url is set but no registration token: set forge.registration_token_file (a file with mode 0600)",
  );
}

/** Starts the pool; with no [forge] url also the embedded coordinator. Runs until SIGINT/SIGTERM. */
export async function upCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      config: { type: "string" },
      listen: { type: "string", default: "127.0.0.1:3930" },
      json: { type: "boolean", default: false },
      "no-logs": { type: "boolean", default: false },
    },
    USAGE,
  );
  const sandbox = await isSandboxAvailable();
  const config = values.config ? loadConfig(resolve(io.cwd, values.config)) : defaultConfig(sandbox);
  const stateDir = resolve(io.cwd, config.runner.state_dir);
  const logger = createLogger();
  const controller = new AbortController();
  const stopped = new Promise<void>((res) => {
    const stop = () => {
      controller.abort();
      res();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  const json = values.json === true;
  const progress = new Progress({
    write: io.stdout,
    tty: io.isTTY && !json,
    logs: values["no-logs"] !== true,
    json,
  });

  let forgeUrl: string;
  let token: string;
  let coordinator: ReturnType<typeof createCoordinator> | undefined;
  let server: Awaited<ReturnType<typeof startCoordinatorServer>> | undefined;
  if (config.forge.url) {
    forgeUrl = config.forge.url;
    token = readToken(config, io.cwd);
  } else {
    const { host, port } = parseListen(values.listen ?? "127.0.0.1:3930");
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    coordinator = createCoordinator({ dbPath: join(stateDir, "coordinator.db"), unmatchedTimeoutMs: 60_000, logger });
    server = await startCoordinatorServer(coordinator, { host, port, signal: controller.signal });
    forgeUrl = server.url;
    token = coordinator.registrationToken();
  }
  const pool = await startLocalPool({
    forgeUrl,
    registrationToken: token,
    roles: resolveRoles(config, sandbox),
    stateDir: join(stateDir, "runners"),
    workdirParent: resolve(io.cwd, config.runner.workdir_parent),
    version: VERSION,
    fetchWaitMs: config.forge.url ? 0 : config.runner.fetch_wait,
    fetchIntervalMs: config.runner.fetch_interval,
    logger,
    signal: controller.signal,
  });
  const unwatch = coordinator ? watchCoordinator(coordinator, progress, (n) => pool.roleOfRunner(n)) : () => undefined;
  progress.ready({
    version: VERSION,
    forge: forgeUrl,
    embedded: coordinator !== undefined,
    roles: pool.instances.map((i) => ({ role: i.role, runner: i.name, labels: i.labels })),
  });
  await stopped;
  progress.note("stopping: draining runners (running jobs finish first)");
  unwatch();
  await pool.drain();
  await server?.close();
  coordinator?.close();
  return 0;
}
