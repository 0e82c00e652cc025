import { randomUUID } from "node:crypto";
import { accessSync, constants, existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { findProcessesByEnv, PoolError, type ResourceLimits, spawnProcess } from "../../lib/index.js";
import type { Backend, ExecOptions, JobEnvironment, PrepareOptions } from "../backend.js";
import { createJobDirs, disposeJobDir } from "../workspace.js";
import { DEFAULT_PATH, SECRETS_VARIABLE } from "./host.js";
import { SANDBOX_PATHS } from "./sandbox.js";

export type ContainerEngine = "docker" | "podman";

export interface ContainerBackendOptions {
  engine: ContainerEngine;
  /** A local image (it is never pulled). */
  image: string;
  /** Job directories are created below it and bind-mounted into the job's container. */
  workdirParent: string;
  limits?: ResourceLimits;
  /** Bound read-only at SANDBOX_PATHS.secrets and named by `$RUNNERPOOL_SECRETS_DIR`. */
  secretsDir?: string;
  /** Root with (nearly) every capability: for roles like iso that mount and build file systems. */
  privileged?: boolean;
  /** Default "none": like the sandbox, a job has no network unless its role asks for the host's. */
  network?: "none" | "host";
  /** The engine's CLI; default the engine name looked up in PATH. */
  command?: string;
}

/** Marks every process of one exec, so a cancel can find and kill them from the host. */
const EXEC_VARIABLE = "RUNNERPOOL_EXEC_ID";
/** Passed with their value on the command line: the engine CLI reads these itself, so they cannot ride in its environment. */
const ENGINE_SENSITIVE =
  /^(PATH|HOME|TMPDIR|DOCKER_.*|CONTAINERS?_.*|XDG_.*|BUILDAH_.*|STORAGE_.*|REGISTRY_AUTH_FILE)$/;
/** What the engine CLI needs from this process's environment. */
const ENGINE_ENV =
  /^(PATH|HOME|DOCKER_HOST|DOCKER_CONFIG|DOCKER_CONTEXT|CONTAINERS_CONF|CONTAINER_HOST|XDG_RUNTIME_DIR|XDG_CONFIG_HOME)$/;

/** Podman refuses fewer than this; docker needs --privileged-like flags that work in this VM. */
const DOCKER_PRIVILEGED = [
  "--cap-add=ALL",
  "--cap-drop=SYS_RESOURCE",
  "--security-opt=seccomp=unconfined",
  "--security-opt=systempaths=unconfined",
  "--device-cgroup-rule=a *:* rwm",
];

export function findCommand(name: string): string | undefined {
  if (name.includes("/")) return name;
  for (const dir of (process.env.PATH ?? DEFAULT_PATH).split(delimiter)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

function engineEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && ENGINE_ENV.test(k)) out[k] = v;
  return out;
}

/** Runs the engine CLI and collects its output; rejects with the engine's own words on failure. */
async function engineRun(command: string, args: string[], signal: AbortSignal): Promise<string> {
  let out = "";
  let err = "";
  const code = await spawnProcess([command, ...args], {
    cwd: "/",
    env: engineEnv(),
    signal,
    onStdout: (c) => {
      out += c.toString();
    },
    onStderr: (c) => {
      err += c.toString();
    },
  });
  if (code !== 0) {
    throw new PoolError(
      "BACKEND_UNAVAILABLE",
      `${command.split("/").pop()} ${args[0]} failed (exit ${code}): ${err.trim().split("\n").slice(-3).join(" ") || out.trim()}`,
    );
  }
  return out;
}

function limitArgs(limits: ResourceLimits | undefined): string[] {
  const args: string[] = [];
  if (limits?.memoryBytes !== undefined)
    args.push(`--memory=${limits.memoryBytes}b`, `--memory-swap=${limits.memoryBytes}b`);
  if (limits?.cpus !== undefined) args.push(`--cpus=${limits.cpus}`);
  if (limits?.pids !== undefined) args.push(`--pids-limit=${limits.pids}`);
  return args;
}

/**
 * A fresh container per job from the role's image: the job's workspace, temp and home are bind
 * mounts (so the executor reads and writes them on the host), steps run through `exec`, limits
 * are the engine's, and dispose removes the container with its anonymous volumes. No network,
 * volume or image is ever created.
 */
export function createContainerBackend(options: ContainerBackendOptions): Backend {
  const engine = options.engine;
  return {
    name: engine,
    async prepare({ jobKey, signal, readOnlyPaths }: PrepareOptions): Promise<JobEnvironment> {
      const command = findCommand(options.command ?? engine);
      if (command === undefined) {
        throw new PoolError(
          "BACKEND_UNAVAILABLE",
          `'${options.command ?? engine}' is not installed: apt-get install -y ${engine === "docker" ? "docker.io" : "podman"}`,
        );
      }
      const dirs = await createJobDirs(options.workdirParent, jobKey, signal);
      const toolCache = join(dirs.root, "tool-cache");
      await mkdir(toolCache, { recursive: true });
      const name = `runnerpool-${jobKey}-${randomUUID().slice(0, 8)}`.slice(0, 120);
      const privileged = options.privileged ? (engine === "podman" ? ["--privileged"] : DOCKER_PRIVILEGED) : [];
      const args = [
        "run",
        "--detach",
        "--pull=never",
        `--name=${name}`,
        `--label=runnerpool.job=${jobKey}`,
        `--network=${options.network ?? "none"}`,
        `--workdir=${SANDBOX_PATHS.workspace}`,
        `--volume=${dirs.workspace}:${SANDBOX_PATHS.workspace}`,
        `--volume=${dirs.temp}:${SANDBOX_PATHS.temp}`,
        `--volume=${dirs.home}:${SANDBOX_PATHS.home}`,
        `--volume=${toolCache}:${SANDBOX_PATHS.toolCache}`,
        ...(options.secretsDir === undefined ? [] : [`--volume=${options.secretsDir}:${SANDBOX_PATHS.secrets}:ro`]),
        ...(readOnlyPaths ?? []).filter((p) => existsSync(p)).map((p) => `--volume=${p}:${p}:ro`),
        ...limitArgs(options.limits),
        ...privileged,
        "--entrypoint=/bin/sh",
        options.image,
        "-c",
        "trap 'exit 0' TERM; while :; do sleep 3600 & wait $!; done",
      ];
      try {
        await engineRun(command, args, signal);
      } catch (err) {
        await engineRun(command, ["rm", "--force", "--volumes", name], AbortSignal.timeout(30_000)).catch(() => "");
        await disposeJobDir(options.workdirParent, dirs.root, AbortSignal.timeout(30_000));
        throw new PoolError(
          "BACKEND_UNAVAILABLE",
          `cannot start a ${engine} container from image "${options.image}": ${(err as Error).message}`,
          { cause: err },
        );
      }
      return {
        workspace: SANDBOX_PATHS.workspace,
        hostWorkspace: dirs.workspace,
        temp: SANDBOX_PATHS.temp,
        hostTemp: dirs.temp,
        toolCache: SANDBOX_PATHS.toolCache,
        baseEnv: {
          HOME: SANDBOX_PATHS.home,
          PATH: DEFAULT_PATH,
          ...(options.secretsDir === undefined ? {} : { [SECRETS_VARIABLE]: SANDBOX_PATHS.secrets }),
        },
        async exec(argv: string[], exec: ExecOptions): Promise<number> {
          const id = randomUUID();
          const env: Record<string, string> = { ...exec.env, [EXEC_VARIABLE]: id };
          // Values ride in the CLI's own environment (`-e NAME`), so secrets never show in a process list.
          const cliEnv: Record<string, string> = engineEnv();
          const envArgs: string[] = [];
          for (const [k, v] of Object.entries(env)) {
            if (ENGINE_SENSITIVE.test(k) || k in cliEnv) envArgs.push(`--env=${k}=${v}`);
            else {
              envArgs.push(`--env=${k}`);
              cliEnv[k] = v;
            }
          }
          const killInside = (): void => {
            for (const pid of findProcessesByEnv(`${EXEC_VARIABLE}=${id}`)) {
              try {
                process.kill(pid, "SIGKILL");
              } catch {
                // Already gone.
              }
            }
          };
          exec.signal.addEventListener("abort", killInside, { once: true });
          try {
            const code = await spawnProcess([command, "exec", `--workdir=${exec.cwd}`, ...envArgs, name, ...argv], {
              cwd: "/",
              env: cliEnv,
              signal: exec.signal,
              onStdout: exec.onStdout,
              onStderr: exec.onStderr,
            });
            if (exec.signal.aborted) killInside();
            return code;
          } finally {
            exec.signal.removeEventListener("abort", killInside);
          }
        },
        async dispose(disposeSignal: AbortSignal) {
          const leftovers: string[] = [];
          try {
            await engineRun(command, ["rm", "--force", "--volumes", name], disposeSignal);
          } catch (err) {
            leftovers.push(`container ${name}: ${(err as Error).message}`);
          }
          const report = await disposeJobDir(options.workdirParent, dirs.root, disposeSignal);
          return { ...report, leftovers: [...leftovers, ...report.leftovers] };
        },
      };
    },
  };
}

const availability = new Map<string, Promise<string | undefined>>();

/**
 * Whether the engine runs containers from `image` here; resolves with the reason when it does not
 * (missing CLI, daemon down, image absent). Checked once per engine and image.
 */
export function containerEngineProblem(engine: ContainerEngine, image: string): Promise<string | undefined> {
  const key = `${engine} ${image}`;
  let known = availability.get(key);
  if (known === undefined) {
    known = (async () => {
      const command = findCommand(engine);
      if (command === undefined) return `${engine} is not installed`;
      try {
        await engineRun(command, ["image", "inspect", image], AbortSignal.timeout(15_000));
        return undefined;
      } catch (err) {
        return `${engine} cannot use image "${image}": ${(err as Error).message}`;
      }
    })();
    availability.set(key, known);
  }
  return known;
}
