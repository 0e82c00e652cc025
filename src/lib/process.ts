import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { constants } from "node:os";
import { PoolError } from "./errors.js";

export interface SpawnOptions {
  cwd: string;
  /** The whole environment of the child; nothing is inherited from this process. */
  env: Record<string, string>;
  /** Aborting kills the child's whole process group (SIGTERM, then SIGKILL after `killGraceMs`). */
  signal: AbortSignal;
  onStdout?(chunk: Buffer): void;
  onStderr?(chunk: Buffer): void;
  /** Called once the child runs, with its pid (= its process group id). */
  onSpawn?(pid: number): void;
  /** Time between SIGTERM and SIGKILL on abort; default 1000 ms. */
  killGraceMs?: number;
  /**
   * How long to wait for stdout/stderr to close after the child exited; background processes that
   * inherited the pipes would otherwise hold the step open forever. Default 200 ms.
   */
  drainMs?: number;
}

const DEFAULT_KILL_GRACE_MS = 1000;
const DEFAULT_DRAIN_MS = 200;

/**
 * Runs argv in its own process group and resolves with its exit code, or with minus the signal
 * number when a signal ended it. Rejects only when the program cannot be started at all.
 */
export function spawnProcess(argv: string[], options: SpawnOptions): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined) {
    return Promise.reject(new PoolError("INVALID_ARGUMENT", "empty command line: give at least a program"));
  }
  if (options.signal.aborted) return Promise.resolve(-(constants.signals.SIGTERM as number));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let settled = false;
    const onAbort = () => {
      if (child.pid === undefined) return;
      const pid = child.pid;
      signalProcessGroup(pid, "SIGTERM");
      killTimer = setTimeout(() => signalProcessGroup(pid, "SIGKILL"), options.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
      killTimer.unref();
    };
    const finish = (result: number) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener("abort", onAbort);
      // A cancelled tree is killed as a whole, including children still running after the leader died.
      if (options.signal.aborted && child.pid !== undefined) signalProcessGroup(child.pid, "SIGKILL");
      if (killTimer) clearTimeout(killTimer);
      if (drainTimer) clearTimeout(drainTimer);
      resolve(result);
    };
    child.stdout.on("data", (chunk: Buffer) => options.onStdout?.(chunk));
    child.stderr.on("data", (chunk: Buffer) => options.onStderr?.(chunk));
    child.once("error", (err: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener("abort", onAbort);
      if (killTimer) clearTimeout(killTimer);
      reject(
        new PoolError(
          "INVALID_ARGUMENT",
          `cannot start '${command}' in '${options.cwd}': ${err.code ?? err.message}; check the program and the directory exist`,
          { cause: err },
        ),
      );
    });
    child.once("spawn", () => {
      if (child.pid !== undefined) options.onSpawn?.(child.pid);
      options.signal.addEventListener("abort", onAbort, { once: true });
      if (options.signal.aborted) onAbort();
    });
    child.once("exit", (code, signal) => {
      const result = code ?? -(signal ? (constants.signals[signal] as number) : 1);
      const pending = [child.stdout, child.stderr].filter((s) => !s.closed);
      if (pending.length === 0) return finish(result);
      let open = pending.length;
      for (const stream of pending) {
        stream.once("close", () => {
          open -= 1;
          if (open === 0) finish(result);
        });
      }
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(result);
      }, options.drainMs ?? DEFAULT_DRAIN_MS);
      drainTimer.unref();
    });
  });
}

/** Sends a signal to a whole process group; false when the group no longer exists. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a pid names a live process. A zombie counts as dead: it runs nothing, and orphans here are
 * reaped by PID 1 only after a few seconds.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/**
 * Pids of live processes whose environment holds exactly `entry` (`NAME=value`). Finds what a job
 * left running even after it changed its process group or session; unreadable processes are skipped.
 */
export function findProcessesByEnv(entry: string): number[] {
  const found: number[] = [];
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return found;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`, "latin1");
      if (environ.split("\0").includes(entry) && isProcessAlive(pid)) found.push(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}
