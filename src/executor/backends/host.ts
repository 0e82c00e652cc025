import { randomUUID } from "node:crypto";
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { findProcessesByEnv, PoolError, spawnProcess } from "../../lib/index.js";
import type { Backend, ExecOptions, JobEnvironment, PrepareOptions } from "../backend.js";
import { createJobDirs, disposeJobDir } from "../workspace.js";

export interface HostBackendOptions {
  /** Job directories are created below it: `<workdirParent>/<jobKey>/{workspace,temp,home}`. */
  workdirParent: string;
  /** Shared RUNNER_TOOL_CACHE; default `<workdirParent>/.tool-cache`. */
  toolCache?: string;
  /** PATH jobs start with; default this process's PATH. */
  path?: string;
}

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
      return {
        workspace: dirs.workspace,
        hostWorkspace: dirs.workspace,
        temp: dirs.temp,
        hostTemp: dirs.temp,
        toolCache,
        baseEnv,
        async exec(argv: string[], exec: ExecOptions): Promise<number> {
          await checkDirectory(exec.cwd);
          return spawnProcess(argv, {
            cwd: exec.cwd,
            env: { ...exec.env, [TRACKING_VARIABLE]: trackingId },
            signal: exec.signal,
            onStdout: exec.onStdout,
            onStderr: exec.onStderr,
          });
        },
        async dispose(disposeSignal: AbortSignal) {
          killLeftovers(trackingId);
          return disposeJobDir(options.workdirParent, dirs.root, disposeSignal);
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
