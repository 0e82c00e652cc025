import { randomUUID } from "node:crypto";
import { accessSync, constants, existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { errorMessage, findProcessesByEnv, PoolError, type ResourceLimits, spawnProcess } from "../../lib/index.js";
import type { Backend, DisposeReport, ExecOptions, JobEnvironment, PrepareOptions } from "../backend.js";
import { createJobDirs, disposeJobDir, type JobDirs } from "../workspace.js";
import { engineRun, envArguments } from "./container-engine.js";
import { runContainerStep } from "./container-step.js";
import { DEFAULT_PATH, SECRETS_VARIABLE } from "./host.js";
import { ensureImage, type ImagePull, type PullPolicy } from "./image-pull.js";
import { type JobContainerSpec, jobContainerSpec } from "./job-container-spec.js";
import { removeJobContainers, startServices } from "./job-services.js";
import { SANDBOX_PATHS } from "./sandbox.js";

export type ContainerEngine = "docker" | "podman";

export interface ContainerBackendOptions {
  engine: ContainerEngine;
  /** The role's image; pulled as `pull` says (default: never, so it must be local). */
  image: string;
  pull?: PullPolicy;
  /** Registry credentials for pulls (a containers auth file). */
  registryAuthFile?: string;
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

function limitArgs(limits: ResourceLimits | undefined): string[] {
  const args: string[] = [];
  if (limits?.memoryBytes !== undefined)
    args.push(`--memory=${limits.memoryBytes}b`, `--memory-swap=${limits.memoryBytes}b`);
  if (limits?.cpus !== undefined) args.push(`--cpus=${limits.cpus}`);
  if (limits?.pids !== undefined) args.push(`--pids-limit=${limits.pids}`);
  return args;
}

/** A job container's steps start from its image's PATH (as on GitHub), else the usual one. */
async function imagePath(command: string, image: string, signal: AbortSignal): Promise<string> {
  try {
    const env = JSON.parse(
      await engineRun(command, ["image", "inspect", "--format={{json .Config.Env}}", image], signal),
    ) as unknown;
    const found = Array.isArray(env) ? env.find((e) => typeof e === "string" && e.startsWith("PATH=")) : undefined;
    return typeof found === "string" && found.length > "PATH=".length ? found.slice("PATH=".length) : DEFAULT_PATH;
  } catch {
    return DEFAULT_PATH;
  }
}

/** One job's container as it is being prepared: where it lives and what every container of it gets. */
interface JobContainer {
  options: ContainerBackendOptions;
  host: { engine: ContainerEngine; command: string; jobKey: string; jobContainer: string };
  dirs: JobDirs;
  toolCache: string;
  /** Secrets and the read-only paths the job asked for, as `--volume` arguments. */
  readOnly: string[];
  /** Limits and privileges the role gives every container of the job. */
  shared: string[];
  /** Images built for Docker actions, removed with the job. */
  builtImages: string[];
  /** How the job's images are pulled: the role's policy and credentials. */
  pull: ImagePull;
}

/** The `container:` and `services:` of a job, read into engine specs. */
interface JobSpecs {
  job: JobContainerSpec | undefined;
  services: Map<string, JobContainerSpec>;
}

/**
 * A fresh container per job from the role's image (or the job's `container:` image): the job's
 * workspace, temp and home are bind mounts (so the executor reads and writes them on the host),
 * steps run through `exec`, limits are the engine's. `services:` join the job container's network
 * namespace, `docker://` steps and Docker actions run in containers of their own beside it, and
 * dispose removes all of them with their anonymous volumes and any image built for the job. No
 * network or named volume is ever created.
 */
export function createContainerBackend(options: ContainerBackendOptions): Backend {
  return {
    name: options.engine,
    containers: true,
    prepare: (prepare) => prepareJobContainer(options, prepare),
  };
}

async function prepareJobContainer(options: ContainerBackendOptions, prepare: PrepareOptions): Promise<JobEnvironment> {
  const { engine } = options;
  const { jobKey, signal } = prepare;
  const command = engineCommand(options);
  const dirs = await createJobDirs(options.workdirParent, jobKey, signal);
  const jobContainer = `runnerpool-${jobKey}-${randomUUID().slice(0, 8)}`.slice(0, 120);
  const job: JobContainer = {
    options,
    host: { engine, command, jobKey, jobContainer },
    dirs,
    toolCache: join(dirs.root, "tool-cache"),
    readOnly: readOnlyArgs(options, prepare.readOnlyPaths),
    shared: [...limitArgs(options.limits), ...privilegedArgs(options)],
    builtImages: [],
    pull: {
      engine,
      command,
      policy: options.pull ?? "never",
      ...(options.registryAuthFile === undefined ? {} : { authFile: options.registryAuthFile }),
    },
  };
  let specs: JobSpecs;
  try {
    await mkdir(job.toolCache, { recursive: true });
    specs = await readSpecs(prepare, dirs.workspace);
  } catch (err) {
    return failPrepare(job, err);
  }
  const image = specs.job?.image ?? options.image;
  const jobEnv = envArguments(specs.job?.env ?? {});
  try {
    const pull = { ...job.pull, ...(prepare.log ? { log: prepare.log } : {}) };
    for (const i of new Set([image, ...[...specs.services.values()].map((s) => s.image)])) {
      await ensureImage(pull, i, signal);
    }
  } catch (err) {
    return failPrepare(job, err);
  }
  try {
    await engineRun(command, runArgs(job, specs, image, jobEnv.args), signal, jobEnv.cliEnv);
  } catch (err) {
    return failPrepare(job, err, `cannot start a ${engine} container from image "${image}"`);
  }
  try {
    await startServices({ ...job.host, sharedArgs: job.shared }, specs.services, signal);
  } catch (err) {
    return failPrepare(job, err);
  }
  const path = specs.job === undefined ? DEFAULT_PATH : await imagePath(command, image, signal);
  const environment = jobEnvironment(job, path);
  // A job container brings its own tools; JavaScript actions need a `node` on its PATH.
  if (specs.job !== undefined) environment.nodePath = "node";
  return environment;
}

function engineCommand(options: ContainerBackendOptions): string {
  const command = findCommand(options.command ?? options.engine);
  if (command === undefined) {
    throw new PoolError(
      "BACKEND_UNAVAILABLE",
      `'${options.command ?? options.engine}' is not installed: apt-get install -y ${options.engine === "docker" ? "docker.io" : "podman"}`,
    );
  }
  return command;
}

function privilegedArgs(options: ContainerBackendOptions): string[] {
  if (!options.privileged) return [];
  return options.engine === "podman" ? ["--privileged"] : DOCKER_PRIVILEGED;
}

function readOnlyArgs(options: ContainerBackendOptions, readOnlyPaths: readonly string[] | undefined): string[] {
  return [
    ...(options.secretsDir === undefined ? [] : [`--volume=${options.secretsDir}:${SANDBOX_PATHS.secrets}:ro`]),
    ...(readOnlyPaths ?? []).filter((p) => existsSync(p)).map((p) => `--volume=${p}:${p}:ro`),
  ];
}

async function readSpecs({ container, services }: PrepareOptions, workspace: string): Promise<JobSpecs> {
  const job = container === undefined ? undefined : await jobContainerSpec("container", container, workspace);
  const specs = new Map<string, JobContainerSpec>();
  for (const [id, spec] of Object.entries(services ?? {})) {
    specs.set(id, await jobContainerSpec(`service '${id}'`, spec, workspace));
  }
  return { job, services: specs };
}

/** Undoes a half-prepared job; `what` prefixes the error unless it already says enough. */
async function failPrepare(job: JobContainer, err: unknown, what?: string): Promise<never> {
  await removeJobContainers(job.host, AbortSignal.timeout(60_000));
  await disposeJobDir(job.options.workdirParent, job.dirs.root, AbortSignal.timeout(30_000));
  if (err instanceof PoolError && what === undefined) throw err;
  const prefix = what ?? `cannot prepare the job's ${job.options.engine} containers`;
  throw new PoolError("BACKEND_UNAVAILABLE", `${prefix}: ${errorMessage(err)}`, { cause: err });
}

/** `run` arguments of the job's own container: an idle shell that steps `exec` into. */
function runArgs(job: JobContainer, specs: JobSpecs, image: string, envArgs: string[]): string[] {
  const { dirs } = job;
  return [
    "run",
    "--detach",
    "--pull=never",
    `--name=${job.host.jobContainer}`,
    `--label=runnerpool.job=${job.host.jobKey}`,
    `--network=${job.options.network ?? "none"}`,
    // Services share this network namespace, so their ids name this container's loopback.
    ...[...specs.services.keys()].map((id) => `--add-host=${id}:127.0.0.1`),
    `--workdir=${SANDBOX_PATHS.workspace}`,
    `--volume=${dirs.workspace}:${SANDBOX_PATHS.workspace}`,
    `--volume=${dirs.temp}:${SANDBOX_PATHS.temp}`,
    `--volume=${dirs.home}:${SANDBOX_PATHS.home}`,
    `--volume=${job.toolCache}:${SANDBOX_PATHS.toolCache}`,
    ...job.readOnly,
    ...(specs.job?.volumes ?? []),
    ...job.shared,
    ...envArgs,
    "--entrypoint=/bin/sh",
    image,
    "-c",
    "trap 'exit 0' TERM; while :; do sleep 3600 & wait $!; done",
  ];
}

function jobEnvironment(job: JobContainer, path: string): JobEnvironment {
  const { dirs, options } = job;
  return {
    workspace: SANDBOX_PATHS.workspace,
    hostWorkspace: dirs.workspace,
    temp: SANDBOX_PATHS.temp,
    hostTemp: dirs.temp,
    toolCache: SANDBOX_PATHS.toolCache,
    baseEnv: {
      HOME: SANDBOX_PATHS.home,
      PATH: path,
      ...(options.secretsDir === undefined ? {} : { [SECRETS_VARIABLE]: SANDBOX_PATHS.secrets }),
    },
    exec: (argv, exec) => execInJobContainer(job.host, argv, exec),
    runContainerStep: (spec, stepOptions) =>
      runContainerStep(
        {
          ...job.host,
          hostWorkspace: dirs.workspace,
          hostTemp: dirs.temp,
          hostHome: dirs.home,
          hostToolCache: job.toolCache,
          sharedArgs: [...job.readOnly, ...job.shared],
          builtImages: job.builtImages,
          pull: job.pull,
        },
        spec,
        stepOptions,
      ),
    dispose: (disposeSignal) => disposeJobContainer(job, disposeSignal),
  };
}

/** Runs `argv` inside the job's container; a cancel kills what it started there from the host. */
async function execInJobContainer(host: JobContainer["host"], argv: string[], exec: ExecOptions): Promise<number> {
  const id = randomUUID();
  const { args: envArgs, cliEnv } = envArguments({ ...exec.env, [EXEC_VARIABLE]: id });
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
    const code = await spawnProcess(
      [host.command, "exec", `--workdir=${exec.cwd}`, ...envArgs, host.jobContainer, ...argv],
      { cwd: "/", env: cliEnv, signal: exec.signal, onStdout: exec.onStdout, onStderr: exec.onStderr },
    );
    if (exec.signal.aborted) killInside();
    return code;
  } finally {
    exec.signal.removeEventListener("abort", killInside);
  }
}

async function disposeJobContainer(job: JobContainer, signal: AbortSignal): Promise<DisposeReport> {
  const leftovers = await removeJobContainers(job.host, signal);
  for (const built of job.builtImages) {
    await engineRun(job.host.command, ["image", "rm", "--force", built], signal).catch((err: unknown) => {
      const text = errorMessage(err);
      if (!/no such image|image not known/i.test(text)) leftovers.push(`image ${built}: ${text}`);
    });
  }
  const report = await disposeJobDir(job.options.workdirParent, job.dirs.root, signal);
  return { ...report, leftovers: [...leftovers, ...report.leftovers] };
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
        return `${engine} cannot use image "${image}": ${errorMessage(err)}`;
      }
    })();
    availability.set(key, known);
  }
  return known;
}
