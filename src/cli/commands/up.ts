import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultConfig, loadConfig, type PoolConfig } from "../../config/index.js";
import { isSandboxAvailable } from "../../executor/index.js";
import { createLogger, type Logger } from "../../lib/index.js";
import { adminToken, createAdminHandler, createRunbook, publishAdminUrl, type Supervisor } from "../../pool/index.js";
import { type Io, parseCommandArgs } from "../args.js";
import { type Forge, openForge } from "../assembly/forge.js";
import { type OperatorSurface, operatorSurface } from "../assembly/operator.js";
import { assemblePool, poolSettings } from "../assembly/pool.js";
import { resolveRoles } from "../assembly/roles.js";
import { stateDirReady } from "../assembly/state-dir.js";
import { reloadOnHangup } from "../config-reload.js";
import { Progress } from "../progress.js";
import { noteUnserved } from "../unserved-note.js";
import { VERSION } from "../version.js";
import { watchCoordinator } from "../watch.js";

const USAGE = "runnerpool up [--config runnerpool.toml] [--listen HOST:PORT] [--json]";

interface UpPlace {
  cwd: string;
  stateDir: string;
  sandbox: boolean;
  /** The config file's directory: roles' relative paths are resolved against it. */
  baseDir: string;
  logger: Logger;
  /** Aborted only when stopping after the drain: SIGINT/SIGTERM let running jobs finish. */
  signal: AbortSignal;
  /** Checkouts report to the operator surface's metrics. */
  operator: OperatorSurface;
}

/** The config's pool against the forge, container roles included. */
function upPool(config: PoolConfig, forge: Forge, place: UpPlace): Supervisor {
  const { cwd, stateDir, logger } = place;
  return assemblePool({
    ...poolSettings(
      config,
      {
        runners: join(stateDir, "runners"),
        work: resolve(cwd, config.runner.workdir_parent),
        mirrors: join(stateDir, "git-mirrors"),
      },
      forge.embedded,
      logger,
      place.operator.recordCheckout,
    ),
    forgeUrl: forge.url(),
    registrationToken: () => forge.registrationToken(),
    roles: resolveRoles(config, place.sandbox, place.baseDir),
    containers: {
      workdirParent: resolve(cwd, config.runner.workdir_parent, "instances"),
      // Instances in containers run this checkout's runner, mounted read-only.
      projectDir: fileURLToPath(new URL("../../../", import.meta.url)),
      ...(forge.activity ? { activity: forge.activity } : {}),
    },
    ...(forge.queued ? { queued: forge.queued } : {}),
    ...(forge.unregister ? { unregister: forge.unregister } : {}),
    logger,
    signal: place.signal,
  });
}

/** Starts the pool; with no [forge] url also the embedded coordinator. Runs until SIGINT/SIGTERM; SIGHUP reloads the config. */
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
  const configFile = values.config ? resolve(io.cwd, values.config) : undefined;
  const config = configFile ? loadConfig(configFile) : defaultConfig(sandbox);
  const baseDir = configFile ? dirname(configFile) : io.cwd;
  const stateDir = stateDirReady(resolve(io.cwd, config.runner.state_dir));
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
  const progress = new Progress({ write: io.stdout, tty: io.isTTY && !json, logs: values["no-logs"] !== true, json });

  const forge = openForge(config, { stateDir, cwd: io.cwd, logger, signal: controller.signal });
  // The supervisor needs the forge's URL, so the admin API is served before the supervisor exists.
  let supervisor: Supervisor | undefined;
  const runbook = createRunbook(() => supervisor, forge, controller.signal);
  const adminSecret = adminToken(stateDir);
  const admin = createAdminHandler(runbook, adminSecret, logger);
  const operator = operatorSurface(forge.coordinator, runbook, () => supervisor, adminSecret, logger);
  const adminUrl = await forge.serve(values.listen ?? "127.0.0.1:3930", {
    handler: (req, res) => admin(req, res) || operator.handler(req, res),
    token: adminSecret,
  });
  publishAdminUrl(stateDir, adminUrl);

  const lifetime = new AbortController();
  const place = { cwd: io.cwd, stateDir, sandbox, baseDir, logger, signal: lifetime.signal, operator };
  const pool = upPool(config, forge, place);
  supervisor = pool;
  await pool.start();

  const stopReloading = reloadOnHangup(configFile, pool, progress, { sandbox, baseDir });

  const coordinator = forge.coordinator;
  const unwatch = coordinator ? watchCoordinator(coordinator, progress, (n) => pool.roleOfRunner(n)) : () => undefined;
  const unnote = coordinator ? noteUnserved(coordinator, progress, pool) : () => undefined;
  if (coordinator) {
    progress.note(
      `git: git remote add runnerpool ${forge.url()}/<owner>/<name>.git && git push runnerpool <branch or tag>`,
    );
    progress.note(`git: user name: any; password: the push token in ${join(stateDir, "push-token")}`);
  }
  progress.ready({
    version: VERSION,
    forge: forge.url(),
    embedded: forge.embedded,
    roles: pool.status().flatMap((r) => r.instances.map((i) => ({ role: r.name, runner: i.name, labels: r.labels }))),
  });
  await stopped;
  progress.note("stopping: draining runners (running jobs finish first)");
  stopReloading();
  unwatch();
  unnote();
  await pool.drainAll();
  lifetime.abort();
  await forge.close();
  return 0;
}
