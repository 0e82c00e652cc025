import { closeSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { PoolError } from "../../lib/index.js";

/** Creates a state directory (mode 0700: it holds tokens) and returns it. */
export function stateDirReady(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** What a lock file records about the process holding it. */
export interface LockOwner {
  pid: number;
  /** The process's start time in clock ticks since boot (/proc/PID/stat), so a reused pid is not mistaken for it. */
  startTicks?: number;
  startedAt: string;
  command: string;
  config?: string;
}

export const LOCK_FILE = "up.lock";

function startTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; starttime is field 22 of the whole line.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

function alive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  const ticks = startTicks(owner.pid);
  return owner.startTicks === undefined || ticks === undefined || ticks === owner.startTicks;
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, "utf8")) as LockOwner;
    return Number.isInteger(owner.pid) ? owner : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return { pid: -1, startedAt: "?", command: "(unreadable lock file)" };
  }
}

/**
 * One `up` per state directory: takes `<dir>/up.lock` (written beside it, then hard-linked in, so it
 * appears whole and only once) or throws naming the process that holds it. A lock whose process is
 * gone (or whose pid now belongs to another process) is stale and taken over. Returns the release.
 */
export function lockStateDir(dir: string, info: Pick<LockOwner, "command" | "config">): () => void {
  const file = join(dir, LOCK_FILE);
  const mine: LockOwner = {
    pid: process.pid,
    ...(startTicks(process.pid) === undefined ? {} : { startTicks: startTicks(process.pid) }),
    startedAt: new Date().toISOString(),
    ...info,
  };
  const text = `${JSON.stringify(mine)}\n`;
  const temp = join(dir, `${LOCK_FILE}.${process.pid}`);
  const fd = openSync(temp, "w", 0o600);
  writeSync(fd, text);
  closeSync(fd);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(temp, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw err;
      }
      const owner = readOwner(file);
      if (owner && owner.pid !== -1 && alive(owner)) {
        throw new PoolError(
          "ALREADY_EXISTS",
          `state directory "${dir}" is in use by runnerpool up (pid ${owner.pid}, started ${owner.startedAt}${owner.config ? `, config ${owner.config}` : ""}): stop that process first, or give this pool another runner.state_dir`,
        );
      }
      if (owner?.pid === -1) {
        throw new PoolError(
          "ALREADY_EXISTS",
          `lock file "${file}" cannot be read: remove it if no runnerpool up uses "${dir}"`,
        );
      }
      rmSync(file, { force: true }); // stale: its process is gone
    }
  } finally {
    unlinkSync(temp);
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    try {
      if (readFileSync(file, "utf8") === text) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  process.on("exit", release);
  return release;
}
