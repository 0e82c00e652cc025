import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultConfig, formatProblem, loadConfig, type PoolConfig, validateConfigText } from "../../config/index.js";
import {
  ArtifactStore,
  createArtifactHandler,
  createCoordinator,
  startCoordinatorServer,
} from "../../coordinator/index.js";
import { isSandboxAvailable } from "../../executor/index.js";
import { createLogger, PoolError } from "../../lib/index.js";
import {
  type AdminOperations,
  containerProvider,
  createAdminHandler,
  type InstanceProvider,
  Supervisor,
} from "../../pool/index.js";
import { labelsCover } from "../../workflow/index.js";
import { type Io, parseCommandArgs } from "../args.js";
import { deleteForgeRunner } from "../forge-admin.js";
import { hostGitPolicy } from "../git-policy.js";
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

function readSecretFile(file: string, key: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch (err) {
    throw new PoolError("CONFIG_INVALID", `${key} "${file}": ${(err as Error).message}`);
  }
}

function readToken(config: PoolConfig, cwd: string): string {
  if (config.forge.registration_token) return config.forge.registration_token;
  if (config.forge.registration_token_file) {
    return readSecretFile(resolve(cwd, config.forge.registration_token_file), "forge.registration_token_file");
  }
  throw new PoolError(
    "CONFIG_INVALID",
    "forge.url is set but no registration token: set forge.registration_token_file (a file with mode 0600)",
  );
}

/** The admin token `pool` commands present; created once, mode 0600, kept across restarts. */
function adminToken(stateDir: string): string {
  const file = join(stateDir, "admin-token");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const token = randomBytes(32).toString("hex");
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
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
  const progress = new Progress({
    write: io.stdout,
    tty: io.isTTY && !json,
    logs: values["no-logs"] !== true,
    json,
  });

  let forgeUrl: string;
  let token: string;
  let coordinator: ReturnType<typeof createCoordinator> | undefined;
  if (config.forge.url) {
    forgeUrl = config.forge.url;
    token = readToken(config, io.cwd);
  } else {
    coordinator = createCoordinator({
      dbPath: join(stateDir, "coordinator.db"),
      unmatchedTimeoutMs: 60_000,
      logger,
      // `git push` here starts the workflows the push triggers; jobs clone from here.
      reposDir: join(stateDir, "repos"),
    });
    forgeUrl = "";
    token = coordinator.runners.registrationToken();
    writeRegistrationToken(stateDir, token);
    pushTokenReady(stateDir, coordinator.git);
  }
  const adminFile = config.forge.admin_token_file ? resolve(io.cwd, config.forge.admin_token_file) : undefined;
  const embedded = coordinator;
  const lifetime = new AbortController();

  // The supervisor needs the forge URL, the admin API needs the supervisor: the server starts first.
  let supervisor: Supervisor | undefined;
  const ops: AdminOperations = {
    status: () => ({
      forge: forgeUrl,
      embedded: embedded !== undefined,
      roles: supervisor?.status() ?? [],
      ...(embedded ? { queue: embedded.read.queueByLabels() } : {}),
    }),
    add: (role) => {
      supervisor?.add(role);
      return { added: role };
    },
    drain: async (target) => ({ drained: (await supervisor?.drain(target)) ?? [] }),
    rotateToken: async ({ cycle }) => {
      if (embedded) {
        token = embedded.runners.createRegistrationToken();
        writeRegistrationToken(stateDir, token);
      } else token = readToken(config, io.cwd);
      const cycled: string[] = [];
      if (cycle && supervisor) {
        for (const role of supervisor.status()) {
          for (const i of role.instances) {
            cycled.push(...(await supervisor.drain(i.name)));
            supervisor.add(role.name);
          }
        }
      }
      return {
        rotated: true,
        source: embedded
          ? `embedded coordinator; the new token is in ${join(stateDir, "registration-token")}`
          : "re-read forge.registration_token_file",
        cycled,
      };
    },
    decommission: async (runner) => {
      const ours = supervisor
        ?.status()
        .flatMap((r) => r.instances)
        .find((i) => i.name === runner);
      if (ours) {
        // One of ours: drained and unregistered like a scale-down; the role's min brings a fresh one.
        await supervisor?.drain(ours.name);
        return { decommissioned: ours.name, id: ours.runnerId };
      }
      if (embedded) {
        const found = embedded.runners.list().find((r) => r.name === runner || String(r.id) === runner);
        if (!found)
          throw new PoolError("NOT_FOUND", `no runner "${runner}" on the coordinator: see \`runnerpool pool status\``);
        embedded.runners.delete(found.id);
        return { decommissioned: found.name, id: found.id };
      }
      if (!adminFile) {
        throw new PoolError(
          "CONFIG_INVALID",
          `cannot remove "${runner}" from ${forgeUrl}: set forge.admin_token_file to a Gitea admin token, or delete it in the forge's admin UI`,
        );
      }
      const id = await deleteForgeRunner(
        forgeUrl,
        readSecretFile(adminFile, "forge.admin_token_file"),
        runner,
        controller.signal,
      );
      return { decommissioned: runner, id };
    },
  };
  const adminSecret = adminToken(stateDir);
  const handler = createAdminHandler(ops, adminSecret, logger);
  let adminUrl: string;
  let closeServer: () => Promise<void>;
  if (coordinator) {
    const { host, port } = parseListen(values.listen ?? "127.0.0.1:3930");
    // Closed only after the drain, so running jobs can still report.
    // Jobs' artifacts under <state dir>/artifacts/<run>/<name>; the admin token may read them all.
    const artifacts = createArtifactHandler(
      coordinator.taskTokens,
      new ArtifactStore({ dir: join(stateDir, "artifacts") }),
      {
        readToken: adminSecret,
        logger,
      },
    );
    const server = await startCoordinatorServer(coordinator, { host, port, handlers: [handler, artifacts] });
    forgeUrl = server.url;
    const p = new URL(server.url).port;
    adminUrl = `http://127.0.0.1:${p}`;
    closeServer = () => server.close();
  } else {
    const server = createServer((req, res) => {
      if (!handler(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    adminUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closeServer = () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
  }
  writeFileSync(join(stateDir, "admin.json"), `${JSON.stringify({ url: adminUrl, pid: process.pid })}\n`, {
    mode: 0o600,
  });

  // Instances in containers run this checkout's runner, mounted read-only.
  const projectDir = fileURLToPath(new URL("../../../", import.meta.url));
  const activity = embedded
    ? (runner: string) =>
        embedded.read
          .listRuns({ limit: 200 })
          .flatMap((r) => r.jobs)
          .filter((j) => j.status === "running" && j.runnerName === runner).length
    : undefined;
  const providers: Record<string, InstanceProvider> = {};
  for (const engine of ["docker", "podman"] as const) {
    providers[engine] = containerProvider({
      engine,
      projectDir,
      workdirParent: resolve(io.cwd, config.runner.workdir_parent, "instances"),
      fetchWaitMs: config.forge.url ? 0 : config.runner.fetch_wait,
      ...(activity ? { activity } : {}),
      logger,
    });
  }
  supervisor = new Supervisor({
    providers,
    forgeUrl,
    registrationToken: () => token,
    roles: resolveRoles(config, sandbox, baseDir),
    stateDir: join(stateDir, "runners"),
    workdirParent: resolve(io.cwd, config.runner.workdir_parent),
    version: VERSION,
    fetchWaitMs: config.forge.url ? 0 : config.runner.fetch_wait,
    fetchIntervalMs: config.runner.fetch_interval,
    git: hostGitPolicy(config.git, join(stateDir, "git-mirrors"), logger),
    ...(config.runner.min_free ? { minFreeBytes: config.runner.min_free } : {}),
    queued: embedded
      ? (labels) =>
          embedded.read
            .queueByLabels()
            .filter((g) => labelsCover(g.runsOn, labels))
            .reduce((n, g) => n + g.jobIds.length, 0)
      : undefined,
    unregister: embedded
      ? (reg) => {
          embedded.runners.delete(reg.id);
        }
      : adminFile
        ? async (reg) => {
            await deleteForgeRunner(
              forgeUrl,
              readSecretFile(adminFile, "forge.admin_token_file"),
              String(reg.id),
              controller.signal,
            );
          }
        : undefined,
    logger,
    // Aborted only when stopping after the drain: SIGINT/SIGTERM let running jobs finish.
    signal: lifetime.signal,
  });
  const pool = supervisor;
  await pool.start();

  // A running pool keeps its last good config: a bad edit is reported and ignored.
  const reload = () => {
    if (!configFile) return;
    let text: string;
    try {
      text = readFileSync(configFile, "utf8");
    } catch (err) {
      progress.note(
        `config reload: cannot read "${configFile}": ${(err as Error).message}; keeping the running config`,
      );
      return;
    }
    const { config: next, problems } = validateConfigText(text, configFile);
    if (!next) {
      progress.note(`config reload: ${problems.length} problem(s); keeping the running config`);
      for (const p of problems) progress.note(`  ${formatProblem(p)}`);
      return;
    }
    pool.update(resolveRoles(next, sandbox, baseDir));
    progress.note(`config reloaded: roles ${next.role.map((r) => r.name).join(", ")}`);
  };
  process.on("SIGHUP", reload);

  const unwatch = coordinator ? watchCoordinator(coordinator, progress, (n) => pool.roleOfRunner(n)) : () => undefined;
  if (coordinator) {
    progress.note(
      `git: git remote add runnerpool ${forgeUrl}/<owner>/<name>.git && git push runnerpool <branch or tag>`,
    );
    progress.note(`git: user name: any; password: the push token in ${join(stateDir, "push-token")}`);
  }
  progress.ready({
    version: VERSION,
    forge: forgeUrl,
    embedded: coordinator !== undefined,
    roles: pool.status().flatMap((r) => r.instances.map((i) => ({ role: r.name, runner: i.name, labels: r.labels }))),
  });
  await stopped;
  progress.note("stopping: draining runners (running jobs finish first)");
  process.off("SIGHUP", reload);
  unwatch();
  await pool.drainAll();
  lifetime.abort();
  await closeServer();
  coordinator?.close();
  return 0;
}

/** Where an operator finds the embedded coordinator's token to register a runner elsewhere (mode 0600). */
function writeRegistrationToken(stateDir: string, token: string): void {
  writeFileSync(join(stateDir, "registration-token"), `${token}\n`, { mode: 0o600 });
}

/**
 * The push token `git push` presents (mode 0600): kept across restarts while the coordinator still
 * accepts it, else replaced (the coordinator stores only its hash).
 */
function pushTokenReady(
  stateDir: string,
  coordinator: { createPushToken(): string; verifyPushToken(t: string): boolean },
) {
  const file = join(stateDir, "push-token");
  if (existsSync(file) && coordinator.verifyPushToken(readFileSync(file, "utf8").trim())) return;
  writeFileSync(file, `${coordinator.createPushToken()}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

function stateDirReady(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
