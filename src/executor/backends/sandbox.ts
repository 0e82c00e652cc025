import { constants } from "node:fs";
import { access, chmod, chown, lstat, mkdir, readlink, stat } from "node:fs/promises";
import { join } from "node:path";
import { createCgroup, hasLimits, PoolError, type ResourceLimits, spawnProcess } from "../../lib/index.js";
import type { Backend, ExecOptions, JobEnvironment, PrepareOptions } from "../backend.js";
import { createJobDirs, disposeJobDir } from "../workspace.js";
import { DEFAULT_PATH, SECRETS_VARIABLE } from "./host.js";

export interface SandboxBackendOptions {
  /** Job directories are created below it, as for the host backend. */
  workdirParent: string;
  /** Default `/usr/bin/bwrap`. */
  bwrapPath?: string;
  /** Run steps as this uid (and `gid`, default the same) through `setpriv`; default: this process's uid. */
  uid?: number;
  gid?: number;
  /** Default `/usr/bin/setpriv`. */
  setprivPath?: string;
  /** Keep the host network; default false: the sandbox has its own loopback only. */
  shareNetwork?: boolean;
  /** Host directories mounted read-only at the same path (e.g. `/opt/toolchains`). */
  readOnlyBinds?: string[];
  /** Directories hidden behind an empty tmpfs; default `/etc/runnerpool` (the runner's own secrets). */
  hidePaths?: string[];
  /** Host directory bound read-write as RUNNER_TOOL_CACHE; default a fresh one per job. */
  toolCache?: string;
  /** Per-job cgroup v1 limits around the whole sandbox; the job fails to prepare when they cannot be applied. */
  limits?: ResourceLimits;
  /** Bound read-only at SANDBOX_PATHS.secrets and named by `$RUNNERPOOL_SECRETS_DIR`. */
  secretsDir?: string;
}

/**
 * Paths as steps see them. A fixed `/workspace` keeps job logs and caches independent of where the
 * runner keeps its job directories.
 */
export const SANDBOX_PATHS = {
  workspace: "/workspace",
  temp: "/runner/temp",
  home: "/runner/home",
  toolCache: "/runner/tool-cache",
  secrets: "/run/runnerpool/secrets",
} as const;

const DEFAULT_BWRAP = "/usr/bin/bwrap";
const SYSTEM_DIRS = ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"];

/**
 * Runs every step in a fresh bubblewrap sandbox: own mount, pid, network, ipc and uts namespaces,
 * read-only system directories, a private /tmp, and only the job's directories writable. When a
 * step's process ends its pid namespace ends too, so nothing it started outlives the step.
 */
export function createSandboxBackend(options: SandboxBackendOptions): Backend {
  const bwrap = options.bwrapPath ?? DEFAULT_BWRAP;
  return {
    name: "sandbox",
    async prepare({ jobKey, signal, readOnlyPaths }: PrepareOptions): Promise<JobEnvironment> {
      if (!(await isSandboxAvailable(bwrap))) {
        throw new PoolError(
          "BACKEND_UNAVAILABLE",
          `bubblewrap '${bwrap}' is missing or cannot create a sandbox here: install bubblewrap or use the host backend`,
        );
      }
      const dirs = await createJobDirs(options.workdirParent, jobKey, signal);
      const toolCache = options.toolCache ?? join(dirs.root, "tool-cache");
      await mkdir(toolCache, { recursive: true });
      if (options.uid !== undefined) {
        const gid = options.gid ?? options.uid;
        for (const d of [dirs.workspace, dirs.temp, dirs.home, ...(options.toolCache ? [] : [toolCache])]) {
          await chown(d, options.uid, gid);
          await chmod(d, 0o700);
        }
        // Only traversal for the sandbox user: the job root stays the runner's, and bubblewrap
        // (running as that user) must reach the directories it binds.
        await chmod(dirs.root, 0o711);
        const parentMode = (await stat(options.workdirParent)).mode & 0o7777;
        if ((parentMode & 0o001) === 0) await chmod(options.workdirParent, parentMode | 0o001);
      }
      const binds: string[] = [
        ...["--bind", dirs.workspace, SANDBOX_PATHS.workspace],
        ...["--bind", dirs.temp, SANDBOX_PATHS.temp],
        ...["--bind", dirs.home, SANDBOX_PATHS.home],
        ...["--bind", toolCache, SANDBOX_PATHS.toolCache],
        // After the hidden paths, so a secrets_dir below /etc/runnerpool is not covered by their tmpfs.
        ...(options.secretsDir === undefined ? [] : ["--ro-bind", options.secretsDir, SANDBOX_PATHS.secrets]),
      ];
      for (const dir of readOnlyPaths ?? []) {
        if ((await kindOf(dir)) === "dir") binds.push("--ro-bind", dir, dir);
      }
      const cgroup = hasLimits(options.limits) ? await createCgroup(jobKey, options.limits) : undefined;
      const base = await baseArguments(options);
      const prefix =
        options.uid === undefined
          ? [bwrap]
          : [
              options.setprivPath ?? "/usr/bin/setpriv",
              `--reuid=${options.uid}`,
              `--regid=${options.gid ?? options.uid}`,
              "--clear-groups",
              bwrap,
            ];
      return {
        workspace: SANDBOX_PATHS.workspace,
        hostWorkspace: dirs.workspace,
        temp: SANDBOX_PATHS.temp,
        hostTemp: dirs.temp,
        toolCache: SANDBOX_PATHS.toolCache,
        ...(options.uid === undefined ? {} : { owner: { uid: options.uid, gid: options.gid ?? options.uid } }),
        baseEnv: {
          HOME: SANDBOX_PATHS.home,
          PATH: DEFAULT_PATH,
          ...(options.secretsDir === undefined ? {} : { [SECRETS_VARIABLE]: SANDBOX_PATHS.secrets }),
        },
        exec(argv: string[], exec: ExecOptions): Promise<number> {
          const full = [...prefix, ...base, ...binds, "--chdir", exec.cwd, "--", ...argv];
          return spawnProcess(cgroup ? cgroup.wrap(full) : full, {
            cwd: dirs.workspace,
            env: exec.env,
            signal: exec.signal,
            onStdout: exec.onStdout,
            onStderr: exec.onStderr,
          });
        },
        async dispose(disposeSignal: AbortSignal) {
          await cgroup?.remove();
          return disposeJobDir(options.workdirParent, dirs.root, disposeSignal);
        },
      };
    },
  };
}

async function baseArguments(options: SandboxBackendOptions): Promise<string[]> {
  const args = ["--unshare-all", "--die-with-parent", "--new-session", "--hostname", "sandbox"];
  if (options.shareNetwork) args.push("--share-net");
  args.push("--ro-bind", "/usr", "/usr");
  for (const dir of SYSTEM_DIRS) {
    const kind = await kindOf(dir);
    if (kind === "link") args.push("--symlink", await readlink(dir), dir);
    else if (kind === "dir") args.push("--ro-bind", dir, dir);
  }
  if ((await kindOf("/etc")) === "dir") args.push("--ro-bind", "/etc", "/etc");
  for (const dir of options.readOnlyBinds ?? []) args.push("--ro-bind", dir, dir);
  args.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--dir", "/var", "--tmpfs", "/var/tmp");
  for (const dir of options.hidePaths ?? ["/etc/runnerpool"]) {
    if ((await kindOf(dir)) === "dir") args.push("--tmpfs", dir);
  }
  return args;
}

async function kindOf(path: string): Promise<"dir" | "link" | "other" | "missing"> {
  try {
    const st = await lstat(path);
    return st.isSymbolicLink() ? "link" : st.isDirectory() ? "dir" : "other";
  } catch {
    return "missing";
  }
}

const availability = new Map<string, Promise<boolean>>();

/** Whether bubblewrap exists at `bwrapPath` and can start a trivial sandbox here (checked once per path). */
export function isSandboxAvailable(bwrapPath: string = DEFAULT_BWRAP): Promise<boolean> {
  let known = availability.get(bwrapPath);
  if (known === undefined) {
    known = probe(bwrapPath);
    availability.set(bwrapPath, known);
  }
  return known;
}

async function probe(bwrapPath: string): Promise<boolean> {
  try {
    await access(bwrapPath, constants.X_OK);
    const args = await baseArguments({ workdirParent: "/" });
    const code = await spawnProcess([bwrapPath, ...args, "--", "/usr/bin/true"], {
      cwd: "/",
      env: { PATH: DEFAULT_PATH },
      signal: AbortSignal.timeout(10_000),
    });
    return code === 0;
  } catch {
    return false;
  }
}
