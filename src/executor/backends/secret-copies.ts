import { randomBytes } from "node:crypto";
import { chmod, cp, lstat, mkdir, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorMessage, PoolError } from "../../lib/index.js";
import { removeTree } from "../workspace.js";

/**
 * Where the host backend keeps per-job copies of a role's secrets_dir: one place for every runnerpool
 * process of this user, so whichever starts a job next removes what a killed process left (`kill -9`
 * skips the job's own cleanup). Each copy is named `<pid>-<job key>-<random>`.
 */
export function defaultSecretCopiesDir(): string {
  return join(tmpdir(), `runnerpool-secrets-${process.getuid?.() ?? "user"}`);
}

/** The copy of `from` for one job, files 0400 and directories 0500, below `root`. */
export async function copySecretsForJob(from: string, root: string, jobKey: string): Promise<string> {
  await ownedDirectory(root);
  await sweepSecretCopies(root);
  const to = join(root, `${process.pid}-${jobKey.replace(/[^A-Za-z0-9_.-]/g, "_")}-${randomBytes(4).toString("hex")}`);
  try {
    await cp(from, to, { recursive: true, dereference: true });
  } catch (err) {
    await removeTree(to, AbortSignal.timeout(30_000));
    throw new PoolError("BACKEND_UNAVAILABLE", `secrets_dir "${from}" cannot be read: ${errorMessage(err)}`);
  }
  await readOnly(to);
  return to;
}

/** Removes a job's copy; returns what could not be removed. */
export function removeSecretCopy(path: string, signal: AbortSignal): Promise<string[]> {
  return removeTree(path, signal);
}

/** Removes the copies of processes that no longer run. */
export async function sweepSecretCopies(root: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^(\d+)-/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
    await removeTree(join(root, name), AbortSignal.timeout(30_000));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** `root` exists as a real directory of ours, mode 0700: a shared temp dir must not hand it to anyone else. */
async function ownedDirectory(root: string): Promise<void> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const s = await lstat(root);
  const uid = process.getuid?.();
  if (!s.isDirectory() || s.isSymbolicLink() || (uid !== undefined && s.uid !== uid)) {
    throw new PoolError("BACKEND_UNAVAILABLE", `"${root}" is not a directory of this user: remove it`);
  }
  await chmod(root, 0o700);
}

async function readOnly(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) await readOnly(p);
    else await chmod(p, 0o400);
  }
  await chmod(dir, 0o500);
}
