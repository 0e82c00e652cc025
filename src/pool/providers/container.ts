import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ensureImage } from "../../executor/index.js";
import { type Logger, PoolError, silentLogger, spawnProcess } from "../../lib/index.js";
import type { RunnerHandle, RunnerSettings, RunnerStatus } from "../../runner/index.js";
import type { InstanceProvider, ProvidedInstance } from "../instance-provider.js";

export interface ContainerProviderOptions {
  engine: "docker" | "podman";
  /** The runnerpool checkout (with node_modules) mounted read-only into every instance. */
  projectDir: string;
  /** Image of an instance when its role has none; it must have `node` on PATH. */
  defaultImage?: string;
  /** Host directory for instances' job directories (one subdirectory per instance). */
  workdirParent: string;
  /** Only the long-poll wait reaches the in-container runner (`--fetch-wait`). */
  settings: RunnerSettings;
  /**
   * Tasks the forge says this runner is running; the provider cannot see inside the container.
   * Without it an instance always looks idle, so scale-down may drain a busy one (gracefully).
   */
  activity?: (runnerName: string) => number | undefined;
  logger?: Logger;
}

const RUNNER_FILE = "/etc/runnerpool/instance.runner";
const WORKDIR = "/var/lib/runnerpool/work";
const PROJECT = "/opt/runnerpool";

async function engineRun(engine: string, args: string[], signal: AbortSignal): Promise<{ code: number; err: string }> {
  let err = "";
  const env: Record<string, string> = {};
  for (const k of ["PATH", "HOME", "DOCKER_HOST", "CONTAINERS_CONF", "XDG_RUNTIME_DIR"]) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  const code = await spawnProcess([engine, ...args], {
    cwd: "/",
    env,
    signal,
    onStderr: (c) => {
      err += c.toString();
    },
  });
  return { code, err: err.trim() };
}

/**
 * Provider `docker`/`podman`: an instance is a container from the role's image running
 * `runnerpool runner start` with the instance's `.runner` file; its jobs run inside that container
 * (host backend there). The container shares the host network, to reach the forge on loopback.
 * Roles with a ref policy or secrets are refused: the in-container runner does not enforce them.
 */
export function containerProvider(options: ContainerProviderOptions): InstanceProvider {
  const logger = options.logger ?? silentLogger;
  const engine = options.engine;
  return {
    name: engine,
    async start(instance, signal): Promise<RunnerHandle> {
      const { name, role } = instance;
      if (role.privileged || (role.allowedRefs?.length ?? 0) > 0 || role.secretsDir !== undefined) {
        throw new PoolError(
          "CONFIG_INVALID",
          `role "${role.name}": the ${engine} provider cannot enforce privileged, allowed_refs or secrets_dir: run this role with the local provider`,
        );
      }
      const image = role.image ?? options.defaultImage;
      if (image === undefined) {
        throw new PoolError("CONFIG_INVALID", `role "${role.name}": the ${engine} provider needs an image with node`);
      }
      await ensureImage(
        {
          engine,
          command: engine,
          policy: role.pull ?? "never",
          ...(role.registryAuthFile === undefined ? {} : { authFile: role.registryAuthFile }),
          log: (line) => logger.info({ role: role.name, instance: name }, line.trim()),
        },
        image,
        signal,
      );
      const container = `runnerpool-instance-${name}`;
      const work = join(options.workdirParent, name);
      mkdirSync(work, { recursive: true });
      await engineRun(engine, ["rm", "--force", container], AbortSignal.timeout(30_000));
      const started = await engineRun(engine, runArgs(options, instance, { container, image, work }), signal);
      if (started.code !== 0) {
        await engineRun(engine, ["rm", "--force", container], AbortSignal.timeout(30_000));
        throw new PoolError(
          "BACKEND_UNAVAILABLE",
          `${engine} cannot start instance "${name}" from "${image}": ${started.err}`,
        );
      }
      return containerHandle(options, instance, container, logger);
    },
  };
}

/** `<engine> run` of one instance: this checkout's runner with the instance's `.runner`, read-only. */
function runArgs(
  options: ContainerProviderOptions,
  { name, role, file }: ProvidedInstance,
  { container, image, work }: { container: string; image: string; work: string },
): string[] {
  return [
    "run",
    "--detach",
    "--pull=never",
    `--name=${container}`,
    `--label=runnerpool.instance=${name}`,
    "--network=host",
    `--volume=${options.projectDir}:${PROJECT}:ro`,
    `--volume=${file}:${RUNNER_FILE}:ro`,
    `--volume=${work}:${WORKDIR}`,
    image,
    "node",
    `${PROJECT}/bin/runnerpool.js`,
    "runner",
    "start",
    `--file=${RUNNER_FILE}`,
    `--capacity=${role.capacity}`,
    "--backend=host",
    `--workdir=${WORKDIR}`,
    `--fetch-wait=${options.settings.fetchWaitMs ?? 0}`,
  ];
}

/** The runner handle of a started container: it ends when the container exits. */
function containerHandle(
  options: ContainerProviderOptions,
  { name, role }: ProvidedInstance,
  container: string,
  logger: Logger,
): RunnerHandle {
  const engine = options.engine;
  let state: RunnerStatus["state"] = "idle";
  const done = (async () => {
    let out = "";
    await spawnProcess([engine, "wait", container], {
      cwd: "/",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      signal: new AbortController().signal,
      onStdout: (c) => {
        out += c.toString();
      },
    });
    state = "stopped";
    const exit = Number(out.trim().split("\n").pop());
    const logs = await engineRun(engine, ["logs", "--tail=5", container], AbortSignal.timeout(10_000));
    await engineRun(engine, ["rm", "--force", container], AbortSignal.timeout(30_000));
    if (exit !== 0) {
      logger.warn({ instance: name, exit }, "instance container exited");
      throw new PoolError(
        /not known to the forge|removed from the forge/.test(logs.err) ? "FORGE_UNAUTHENTICATED" : "INTERNAL",
        `instance container "${container}" exited with ${out.trim() || "?"}: ${logs.err.split("\n").pop() ?? ""}`,
      );
    }
  })();
  done.catch(() => undefined);
  const events = new EventEmitter();
  const running = () => (state === "stopped" ? 0 : (options.activity?.(name) ?? 0));
  return {
    name,
    status: () => ({
      name,
      state: state === "idle" && running() > 0 ? "busy" : state,
      running: running(),
      capacity: role.capacity,
    }),
    drain: async () => {
      if (state !== "stopped") state = "draining";
      // `runner start` drains on SIGTERM: running jobs finish, then it exits 0.
      await engineRun(engine, ["kill", "--signal=TERM", container], AbortSignal.timeout(30_000));
      await done.catch(() => undefined);
    },
    stop: async () => {
      await engineRun(engine, ["rm", "--force", container], AbortSignal.timeout(30_000));
      await done.catch(() => undefined);
    },
    done,
    on: (event, listener) => {
      events.on(event, listener as never);
    },
    off: (event, listener) => {
      events.off(event, listener as never);
    },
  };
}
