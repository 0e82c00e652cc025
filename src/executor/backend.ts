/** How one process of a job runs inside a backend. */
export interface ExecOptions {
  /** Working directory as seen inside the backend. */
  cwd: string;
  env: Record<string, string>;
  signal: AbortSignal;
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
}

/** A prepared, isolated place for one job: a fresh workspace plus whatever the backend needs. */
export interface JobEnvironment {
  /** Workspace path as seen by steps (GITHUB_WORKSPACE). */
  workspace: string;
  /** Workspace path on the host (for hashFiles and cleanup). */
  hostWorkspace: string;
  /** Scratch dir for env files, scripts, RUNNER_TEMP, as seen by steps. */
  temp: string;
  /** Same dir on the host. */
  hostTemp: string;
  /** RUNNER_TOOL_CACHE as seen by steps. */
  toolCache: string;
  /**
   * The Node.js binary JavaScript actions run with, as seen by steps. Default: this process's
   * own binary (`process.execPath`), right for backends that share the host's filesystem.
   */
  nodePath?: string;
  /**
   * The environment every process starts from (HOME, PATH, ...), before the executor adds the job's.
   * Nothing else of the runner's own environment reaches a job.
   */
  baseEnv: Record<string, string>;
  /**
   * Runs argv[0] with args; resolves with the exit code (or a negative number when killed). Aborting
   * `options.signal` kills the whole process tree. Rejects only when the process cannot start.
   */
  exec(argv: string[], options: ExecOptions): Promise<number>;
  /**
   * Container backends only: runs one step in its own container (`docker://` steps and Docker
   * actions) with the job's workspace and temp dir mounted (GitHub mounts the workspace at
   * /github/workspace and sets the workdir there). Resolves with the exit code like `exec`.
   */
  runContainerStep?(spec: ContainerStepSpec, options: Omit<ExecOptions, "cwd">): Promise<number>;
  /**
   * The uid/gid steps run as, when the backend drops to another user: what the runner writes into the
   * workspace on the host (a checkout) is handed to them so the job can change it.
   */
  owner?: { uid: number; gid: number };
  /** Removes everything the job left; never throws for ordinary leftovers, reports what it could not remove. */
  dispose(signal: AbortSignal): Promise<DisposeReport>;
}

/** One containerised step, as the executor asks a container backend to run it. */
export interface ContainerStepSpec {
  /** An image reference to pull/run, or undefined when `build` is given. */
  image?: string;
  /** A Docker action with `runs.image: Dockerfile`: build from this host directory first. */
  build?: { context: string; dockerfile: string };
  /** Overrides the image's entrypoint when set. */
  entrypoint?: string;
  args: string[];
  /** The step's complete environment (GITHUB_*, INPUT_*, ...), paths as the executor sees them. */
  env: Record<string, string>;
}

/** What `dispose` could not remove; empty `leftovers` means the job left nothing behind. */
export interface DisposeReport {
  leftovers: string[];
  /** Where the job's directory was moved when it could not be removed. */
  quarantined?: string;
  /** Why moving it aside failed too, if it did. */
  error?: string;
}

export interface PrepareOptions {
  /** Unique per job (e.g. task id) so concurrent jobs never share a directory. */
  jobKey: string;
  /**
   * The job's `container:` (evaluated; a bare image string becomes `{ image }`), only passed to
   * backends with `containers: true`.
   */
  container?: Record<string, unknown>;
  /** The job's `services:` (evaluated), only passed to backends with `containers: true`. */
  services?: Record<string, Record<string, unknown>>;
  /**
   * Host directories steps must see read-only at the same path (the git mirror cache: a checkout's
   * `.git/objects/info/alternates` names it). Backends skip paths that do not exist.
   */
  readOnlyPaths?: string[];
  /** Lines for the job's log while preparing (an image pull's progress). */
  log?: (line: string) => void;
  signal: AbortSignal;
}

/** `host`, `sandbox`, `docker`, `podman`: where a job's steps execute. */
export interface Backend {
  readonly name: string;
  /**
   * Steps run inside containers, so `container:`, `services:`, `docker://` steps and Docker actions
   * can work. Other backends fail such jobs and steps with a clear error.
   */
  readonly containers?: boolean;
  prepare(options: PrepareOptions): Promise<JobEnvironment>;
}
