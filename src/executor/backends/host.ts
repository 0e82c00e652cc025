import { randomUUID } from "node:crypto";
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  createCgroup,
  findProcessesByEnv,
  hasLimits,
  type JobCgroup,
  PoolError,
  type ResourceLimits,
  spawnProcess,
} from "../../lib/index.js";
import type { Backend, ExecOptions, JobEnvironment, PrepareOptions } from "../backend.js";
import { createJobDirs, disposeJobDir } from "../workspace.js";
import { copySecretsForJob, defaultSecretCopiesDir, removeSecretCopy } from "./secret-copies.js";

export interface HostBackendOptions {
  /** Job directories are created below it: `<workdirParent>/<jobKey>/{workspace,temp,home}`. */
  workdirParent: string;
  /** Shared RUNNER_TOOL_CACHE; default `<workdirParent>/.tool-cache`. */
  toolCache?: string;
  /** PATH jobs start with; default this process's PATH. */
  path?: string;
  /** Per-job cgroup v1 limits; the job fails to prepare when they cannot be applied. */
  limits?: ResourceLimits;
  /**
   * Copied for each job (files 0400, dirs 0500) and named by `$RUNNERPOOL_SECRETS_DIR`. A host
   * process cannot get a read-only view of a directory, so a copy per job stands in: what a job
   * changes never reaches the original. The copy is removed with the job, and copies a killed
   * process left are swept before the next job of any runnerpool process copies its own.
   */
  secretsDir?: string;
  /** Where the per-job copies live; default `defaultSecretCopiesDir()` (per user, in the temp dir). */
  secretCopiesDir?: string;
}

/** The variable that names a role's secrets directory inside its jobs. */
export const SECRETS_VARIABLE = "RUNNERPOOL_SECRETS_DIR";

export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** GitHub's runner marks job processes the same way to find orphans at job end. */
export const TRACKING_VARIABLE = "RUNNER_TRACKING_ID";

/**
 * Runs steps as plain processes of this host, each in its own process group, with only the
 * environment the executor gives. Processes a step leaves running survive until the job ends (a
 * server started in one step serves the next), then everything carrying the job's tracking id dies.
 */
export function createHostBackend(options: HostBackendOptions): Backend {
  const toolCache = options.toolCache ?? join(options.workdirParent, ".tool-cache");
  return {
    name: "host",
    async prepare({ jobKey, signal }: PrepareOptions): Promise<JobEnvironment> {
      const dirs = await createJobDirs(options.workdirParent, jobKey, signal);
      await mkdir(toolCache, { recursive: true });
      const trackingId = `runnerpool_${jobKey}_${randomUUID()}`;
      const baseEnv: Record<string, string> = {
        HOME: dirs.home,
        PATH: options.path ?? process.env.PATH ?? DEFAULT_PATH,
      };
      if (process.env.LANG) baseEnv.LANG = process.env.LANG;
      const secrets =
        options.secretsDir === undefined
          ? undefined
          : await copySecretsForJob(options.secretsDir, options.secretCopiesDir ?? defaultSecretCopiesDir(), jobKey);
      if (secrets !== undefined) baseEnv[SECRETS_VARIABLE] = secrets;
      const cgroup: JobCgroup | undefined = hasLimits(options.limits)
        ? await createCgroup(jobKey, options.limits)
        : undefined;
      return {
        workspace: dirs.workspace,
        hostWorkspace: dirs.workspace,
        temp: dirs.temp,
        hostTemp: dirs.temp,
        toolCache,
        baseEnv,
        async exec(argv: string[], exec: ExecOptions): Promise<number> {
          await checkDirectory(exec.cwd);
          return spawnProcess(cgroup ? cgroup.wrap(argv) : argv, {
            cwd: exec.cwd,
            env: { ...exec.env, [TRACKING_VARIABLE]: trackingId },
            signal: exec.signal,
            onStdout: exec.onStdout,
            onStderr: exec.onStderr,
          });
        },
        async dispose(disposeSignal: AbortSignal) {
          killLeftovers(trackingId);
          await cgroup?.remove();
          const secretLeft = secrets === undefined ? [] : await removeSecretCopy(secrets, disposeSignal);
          const report = await disposeJobDir(options.workdirParent, dirs.root, disposeSignal);
          return secretLeft.length === 0 ? report : { ...report, leftovers: [...secretLeft, ...report.leftovers] };
        },
      };
    },
  };
}

async function checkDirectory(cwd: string): Promise<void> {
  let isDir = false;
  try {
    isDir = (await stat(cwd)).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new PoolError("INVALID_ARGUMENT", `working directory '${cwd}' does not exist: create it in an earlier step`);
  }
}

/** Found by environment rather than by pid, so a recycled pid of someone else is never hit. */
function killLeftovers(trackingId: string): void {
  const entry = `${TRACKING_VARIABLE}=${trackingId}`;
  // Several rounds: a dying parent may have forked once more.
  for (let round = 0; round < 3; round++) {
    const pids = findProcessesByEnv(entry);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }
}
