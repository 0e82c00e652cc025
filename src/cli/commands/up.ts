import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openConfig, type PoolConfig } from "../../config/index.js";
import { isSandboxAvailable } from "../../executor/index.js";
import { createLogger, type Logger } from "../../lib/index.js";
import {
  adminToken,
  createAdminHandler,
  createRunbook,
  guardedLabels,
  publishAdminUrl,
  type Supervisor,
} from "../../pool/index.js";
import { type Io, parseCommandArgs } from "../args.js";
import { type Forge, openForge } from "../assembly/forge.js";
import { type OperatorSurface, operatorSurface } from "../assembly/operator.js";
import { assemblePool, poolSettings } from "../assembly/pool.js";
import { resolveRoles } from "../assembly/roles.js";
import { lockStateDir, stateDirReady } from "../assembly/state-dir.js";
import { reloadOnHangup } from "../config-reload.js";
import { Progress } from "../progress.js";
import { twoStepShutdown } from "../shutdown.js";
import { noteUnserved } from "../unserved-note.js";
import { VERSION } from "../version.js";
import { watchCoordinator } from "../watch.js";

const USAGE = "runnerpool up [--config runnerpool.toml] [--listen HOST:PORT] [--json]";

interface UpPlace {
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
  const { stateDir, logger } = place;
  return assemblePool({
    ...poolSettings(
      config,
      {
        runners: join(stateDir, "runners"),
        work: config.runner.workdir_parent,
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
      workdirParent: join(config.runner.workdir_parent, "instances"),
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
  // --config, else ./runnerpool.toml, else the default pool; its relative paths are relative to the file.
  const {
    config,
    file: configFile,
    baseDir,
  } = openConfig({
    given: values.config,
    dirs: [io.cwd],
    cwd: io.cwd,
    sandboxAvailable: sandbox,
  });
  const stateDir = stateDirReady(config.runner.state_dir);
  // Before the forge opens the database or admin.json is written: a second `up` here touches nothing.
  const unlock = lockStateDir(stateDir, { command: "runnerpool up", ...(configFile ? { config: configFile } : {}) });
  // Daemon logs go to stderr: text lines for people and journald, pino's JSON records with --json.
  const logger = createLogger({ format: values.json === true ? "json" : "text" });
  const controller = new AbortController();
  const json = values.json === true;
  const progress = new Progress({ write: io.stdout, tty: io.isTTY && !json, logs: values["no-logs"] !== true, json });
  const shutdown = twoStepShutdown({
    timeoutMs: config.runner.shutdown_timeout,
    note: (text) => progress.note(text),
    onRequest: () => controller.abort(),
  });

  progress.note(
    configFile ? `config: ${configFile}` : `config: none found (${join(io.cwd, "runnerpool.toml")}); default pool`,
  );
  progress.note(`state: ${stateDir}`);
  // The supervisor needs the forge's URL, so the admin API is served before the supervisor exists.
  let supervisor: Supervisor | undefined;
  const initialRoles = resolveRoles(config, sandbox, baseDir);
  const guarded = () => guardedLabels(supervisor?.currentRoles() ?? initialRoles);
  const forge = openForge(config, {
    stateDir,
    cwd: baseDir,
    logger,
    signal: controller.signal,
    guardedLabels: guarded,
  });
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
  const pool = upPool(config, forge, { stateDir, sandbox, baseDir, logger, signal: lifetime.signal, operator });
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
  await shutdown.requested;
  stopReloading();
  const code = await shutdown.run(
    () => pool.drainAll(),
    () => pool.stop(),
  );
  unwatch();
  unnote();
  lifetime.abort();
  await forge.close();
  unlock();
  shutdown.dispose();
  return code;
}
