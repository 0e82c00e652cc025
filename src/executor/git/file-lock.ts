import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { link, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { isProcessAlive, PoolError } from "../../lib/index.js";

/** A held lock; release is idempotent and never removes a lock someone else took over. */
export interface FileLock {
  release(): Promise<void>;
}

export interface AcquireLockOptions {
  signal: AbortSignal;
  /** Give up after this long; default 10 minutes (a first mirror clone of a big repository is slow). */
  timeoutMs?: number;
}

interface Owner {
  pid: number;
  /** Process start time from /proc, so a recycled pid does not keep a dead owner's lock alive. */
  start: string;
  host: string;
}

// A lock file with no owner yet is a process caught between creating and writing it; older than this, it died there.
const UNWRITTEN_GRACE_MS = 5_000;

function startTime(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  } catch {
    return "";
  }
}

function parseOwner(text: string): Owner | undefined {
  try {
    const o = JSON.parse(text) as Partial<Owner>;
    if (typeof o.pid === "number" && typeof o.host === "string")
      return { pid: o.pid, start: o.start ?? "", host: o.host };
  } catch {
    // unwritten or torn
  }
  return undefined;
}

async function isStale(path: string): Promise<{ stale: boolean; text: string } | undefined> {
  try {
    const s = await stat(path);
    const text = await readFile(path, "utf8");
    const owner = parseOwner(text);
    if (owner === undefined) return { stale: Date.now() - s.mtimeMs > UNWRITTEN_GRACE_MS, text };
    // Another host's pids mean nothing here; such a lock is only ever released by its owner.
    if (owner.host !== hostname()) return { stale: false, text };
    const dead = !isProcessAlive(owner.pid) || (owner.start !== "" && startTime(owner.pid) !== owner.start);
    return { stale: dead, text };
  } catch {
    return undefined; // released meanwhile
  }
}

/** Moves a dead owner's lock away; if the file turned out to be someone's fresh lock, puts it back. */
async function breakLock(path: string, staleText: string): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomUUID()}`;
  try {
    await rename(path, aside);
  } catch {
    return;
  }
  const moved = await readFile(aside, "utf8").catch(() => staleText);
  if (moved !== staleText) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

/** Takes the lock when it is free (or held by a dead process); undefined when someone holds it. */
export async function tryFileLock(path: string): Promise<FileLock | undefined> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, "wx", 0o644);
      // The nonce tells this lock from a later one at the same path (inode numbers get reused).
      const text = JSON.stringify({
        pid: process.pid,
        start: startTime(process.pid),
        host: hostname(),
        nonce: randomUUID(),
      });
      try {
        await fh.writeFile(text);
      } finally {
        await fh.close();
      }
      let released = false;
      return {
        release: async () => {
          if (released) return;
          released = true;
          if ((await readFile(path, "utf8").catch(() => "")) === text) await unlink(path).catch(() => undefined);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const state = await isStale(path);
    if (state === undefined) continue;
    if (!state.stale) return undefined;
    await breakLock(path, state.text);
  }
  return undefined;
}

/** Waits for the lock (polling with backoff), honouring `signal` and a timeout. */
export async function acquireFileLock(path: string, options: AcquireLockOptions): Promise<FileLock> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  let wait = 10;
  for (;;) {
    options.signal.throwIfAborted();
    const lock = await tryFileLock(path);
    if (lock) return lock;
    if (Date.now() > deadline) {
      const owner = parseOwner(await readFile(path, "utf8").catch(() => ""));
      throw new PoolError(
        "INTERNAL",
        `lock '${path}' is still held by pid ${owner?.pid ?? "?"} on ${owner?.host ?? "?"}; remove the file if that process is gone`,
      );
    }
    await sleep(wait, undefined, { signal: options.signal });
    wait = Math.min(wait * 2, 200);
  }
}
