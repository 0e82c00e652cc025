import { createHash, randomUUID } from "node:crypto";
import { PoolError, spawnProcess } from "../../lib/index.js";
import type { ContainerStepSpec, ExecOptions } from "../backend.js";
import { engineRun, envArguments } from "./container-engine.js";
import { ensureImage, type ImagePull } from "./image-pull.js";
import { SANDBOX_PATHS } from "./sandbox.js";

/** Where GitHub's runner mounts things in a step container; actions rely on /github/workspace. */
export const STEP_PATHS = { workspace: "/github/workspace", home: "/github/home" } as const;

/** What a job's container steps share: the engine, the job container's network, the job's mounts. */
export interface ContainerStepHost {
  engine: "docker" | "podman";
  command: string;
  jobKey: string;
  /** The job's own container: step containers join its network (and so reach its services). */
  jobContainer: string;
  hostWorkspace: string;
  hostTemp: string;
  hostHome: string;
  hostToolCache: string;
  /** Extra `run` arguments every container of the job gets (limits, secrets, read-only paths, privileges). */
  sharedArgs: string[];
  /** Images built for Docker actions, removed with the job. */
  builtImages: string[];
  /** The role's pull policy and credentials, for `docker://` images. */
  pull?: ImagePull;
}

/** Paths the executor hands out (`/workspace/...`, `$HOME`) as a step container sees them. */
function rewrite(value: string): string {
  if (value === SANDBOX_PATHS.workspace || value.startsWith(`${SANDBOX_PATHS.workspace}/`)) {
    return STEP_PATHS.workspace + value.slice(SANDBOX_PATHS.workspace.length);
  }
  if (value === SANDBOX_PATHS.home || value.startsWith(`${SANDBOX_PATHS.home}/`)) {
    return STEP_PATHS.home + value.slice(SANDBOX_PATHS.home.length);
  }
  return value;
}

async function buildImage(
  host: ContainerStepHost,
  build: NonNullable<ContainerStepSpec["build"]>,
  options: Omit<ExecOptions, "cwd">,
): Promise<string> {
  const digest = createHash("sha256").update(`${host.jobKey}\0${build.dockerfile}`).digest("hex").slice(0, 16);
  const tag = `runnerpool-action-${digest}:job`;
  const { cliEnv } = envArguments({});
  // The legacy builder honours --network=none for RUN; BuildKit may be absent.
  if (host.engine === "docker") cliEnv.DOCKER_BUILDKIT = "0";
  const args = ["build", "--network=none", ...(host.engine === "podman" ? ["--pull=never"] : [])];
  const code = await spawnProcess(
    [
      host.command,
      ...args,
      `--tag=${tag}`,
      `--label=runnerpool.job=${host.jobKey}`,
      `--file=${build.dockerfile}`,
      build.context,
    ],
    {
      cwd: "/",
      env: cliEnv,
      signal: options.signal,
      onStdout: options.onStdout,
      onStderr: options.onStderr,
    },
  );
  if (!host.builtImages.includes(tag)) host.builtImages.push(tag);
  if (code !== 0) {
    throw new PoolError(
      "BACKEND_UNAVAILABLE",
      `building the Docker action image from "${build.dockerfile}" failed (exit ${code}): only local base images can be used here (no registry); see the build output above`,
    );
  }
  return tag;
}

/**
 * One `docker://` step or Docker action in its own container: the workspace at /github/workspace
 * (also the workdir), the job's temp dir at its usual path so GITHUB_ENV/OUTPUT/... files work,
 * the job container's network, and the step removed when it ends or is cancelled.
 */
export async function runContainerStep(
  host: ContainerStepHost,
  spec: ContainerStepSpec,
  options: Omit<ExecOptions, "cwd">,
): Promise<number> {
  const image = spec.build ? await buildImage(host, spec.build, options) : spec.image;
  if (image === undefined || image === "")
    throw new PoolError("BACKEND_UNAVAILABLE", "a container step needs an image");
  if (!spec.build && host.pull) {
    const log = (line: string) => options.onStdout(Buffer.from(`${line}\n`));
    await ensureImage({ ...host.pull, log }, image, options.signal);
  }
  const env: Record<string, string> = {};
  // The image's own PATH, as on GitHub: the job's PATH names directories of another file system.
  for (const [k, v] of Object.entries(options.env)) if (k !== "PATH") env[k] = rewrite(v);
  env.GITHUB_WORKSPACE = STEP_PATHS.workspace;
  env.HOME = STEP_PATHS.home;
  const { args: envArgs, cliEnv } = envArguments(env);
  const name = `runnerpool-step-${randomUUID().slice(0, 12)}`;
  const args = [
    "run",
    "--rm",
    "--pull=never",
    `--name=${name}`,
    `--label=runnerpool.job=${host.jobKey}`,
    `--network=container:${host.jobContainer}`,
    `--workdir=${STEP_PATHS.workspace}`,
    `--volume=${host.hostWorkspace}:${STEP_PATHS.workspace}`,
    `--volume=${host.hostTemp}:${SANDBOX_PATHS.temp}`,
    `--volume=${host.hostHome}:${STEP_PATHS.home}`,
    `--volume=${host.hostToolCache}:${SANDBOX_PATHS.toolCache}`,
    ...host.sharedArgs,
    ...envArgs,
    ...(spec.entrypoint === undefined ? [] : [`--entrypoint=${spec.entrypoint}`]),
    image,
    ...spec.args,
  ];
  const remove = (): void => {
    void engineRun(
      host.command,
      ["rm", "--force", ...(host.engine === "podman" ? ["--time=0"] : []), name],
      AbortSignal.timeout(30_000),
    ).catch(() => "");
  };
  options.signal.addEventListener("abort", remove, { once: true });
  try {
    return await spawnProcess([host.command, ...args], {
      cwd: "/",
      env: cliEnv,
      signal: options.signal,
      onStdout: options.onStdout,
      onStderr: options.onStderr,
    });
  } finally {
    options.signal.removeEventListener("abort", remove);
  }
}
