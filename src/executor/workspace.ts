import { chmod, lstat, mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { errorMessage, PoolError } from "../lib/index.js";
import type { DisposeReport } from "./backend.js";

/** The directories of one job on the host, all under `<parent>/<jobKey>`. */
export interface JobDirs {
  root: string;
  workspace: string;
  temp: string;
  home: string;
}

const QUARANTINE = ".quarantine";
const MAX_REPORTED = 20;

function checkKey(jobKey: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(jobKey) || jobKey.length > 200) {
    throw new PoolError("INVALID_ARGUMENT", `job key '${jobKey}' is not a safe directory name: use [A-Za-z0-9._-]`);
  }
}

/**
 * Creates fresh, empty job directories. Whatever an earlier job with the same key left behind is
 * removed first, or moved to the quarantine when it cannot be.
 */
export async function createJobDirs(parent: string, jobKey: string, signal: AbortSignal): Promise<JobDirs> {
  checkKey(jobKey);
  const root = join(parent, jobKey);
  await mkdir(parent, { recursive: true });
  if (await exists(root)) await disposeJobDir(parent, root, signal);
  const dirs: JobDirs = {
    root,
    workspace: join(root, "workspace"),
    temp: join(root, "temp"),
    home: join(root, "home"),
  };
  await mkdir(root, { mode: 0o755 });
  for (const d of [dirs.workspace, dirs.temp, dirs.home]) await mkdir(d, { mode: 0o755 });
  return dirs;
}

/** Removes a job directory; when that fails, moves it to `<parent>/.quarantine/` so the next job starts clean. */
export async function disposeJobDir(parent: string, root: string, signal: AbortSignal): Promise<DisposeReport> {
  const leftovers = await removeTree(root, signal);
  if (leftovers.length === 0) return { leftovers };
  const target = join(parent, QUARANTINE, `${root.split("/").pop() ?? "job"}-${Date.now()}`);
  try {
    await mkdir(join(parent, QUARANTINE), { recursive: true });
    await rename(root, target);
    return { leftovers, quarantined: target };
  } catch (err) {
    return { leftovers, error: errorMessage(err) };
  }
}

/**
 * Removes a directory tree the way a job may have left it: read-only or unreadable directories,
 * files of other users, sockets, FIFOs. Returns the paths it could not remove (at most 20) instead of
 * throwing; an empty list means the tree is gone.
 */
export async function removeTree(path: string, signal: AbortSignal): Promise<string[]> {
  if (await tryRemove(path)) return [];
  if (signal.aborted) return leftoversOf(path);
  // Directories without write or execute permission block unlinking their entries, even for root
  // when they sit on some filesystems; open them all up, then try again.
  await openUp(path, signal);
  if (await tryRemove(path)) return [];
  if (signal.aborted) return leftoversOf(path);
  await removeChildren(path, signal);
  if (await tryRemove(path)) return [];
  return leftoversOf(path);
}

async function leftoversOf(path: string): Promise<string[]> {
  const left: string[] = [];
  await collect(path, left);
  return left.length > 0 ? left : [path];
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function tryRemove(path: string): Promise<boolean> {
  try {
    await rm(path, { recursive: true, force: true, maxRetries: 2, retryDelay: 50 });
  } catch {
    return !(await exists(path));
  }
  return !(await exists(path));
}

async function openUp(path: string, signal: AbortSignal): Promise<void> {
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(path);
  } catch {
    return;
  }
  if (!st.isDirectory()) return;
  try {
    await chmod(path, 0o700);
  } catch {
    // Not ours to change (another uid while we are not root); removal will report it.
  }
  let entries: string[];
  try {
    entries = await readdir(path);
  } catch {
    return;
  }
  for (const name of entries) {
    if (signal.aborted) return;
    await openUp(join(path, name), signal);
  }
}

/** Removes entry by entry, so one stubborn file does not keep its siblings. */
async function removeChildren(path: string, signal: AbortSignal): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(path);
  } catch {
    return;
  }
  for (const name of entries) {
    if (signal.aborted) return;
    const child = join(path, name);
    if (await tryRemove(child)) continue;
    await removeChildren(child, signal);
    await tryRemove(child);
  }
}

async function collect(path: string, out: string[]): Promise<void> {
  if (out.length >= MAX_REPORTED) return;
  let entries: string[] = [];
  try {
    const st = await lstat(path);
    if (st.isDirectory()) entries = await readdir(path);
  } catch {
    return;
  }
  if (entries.length === 0) {
    out.push(path);
    return;
  }
  for (const name of entries) await collect(join(path, name), out);
}
