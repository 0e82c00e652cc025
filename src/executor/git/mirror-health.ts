import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { errorMessage } from "../../lib/index.js";
import { runGit } from "./git-command.js";

export type MirrorHealth = { state: "missing" } | { state: "ok" } | { state: "corrupt"; reason: string };

async function tail(path: string, from: number, length: number): Promise<Buffer | undefined> {
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    if (size < from + length) return undefined;
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, size - from - length);
    return buf;
  } finally {
    await fh.close();
  }
}

async function head(path: string, length: number): Promise<Buffer> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Whether a pack and its index belong together and the pack is whole: the index ends with the pack's
 * own trailing checksum, so a truncated, replaced or deleted pack no longer matches.
 */
async function packMatchesIndex(idx: string, pack: string): Promise<string | undefined> {
  const magic = await head(pack, 4).catch(() => undefined);
  if (magic === undefined) return `pack '${pack}' is missing`;
  if (magic.toString("latin1") !== "PACK") return `pack '${pack}' has no pack header`;
  for (const hashLen of [20, 32]) {
    const fromPack = await tail(pack, 0, hashLen);
    const fromIdx = await tail(idx, hashLen, hashLen);
    if (fromPack && fromIdx && fromPack.equals(fromIdx)) return undefined;
  }
  return `pack '${pack}' does not match its index (truncated or replaced)`;
}

/**
 * A cheap look at a bare mirror (no object walk, a few small reads): missing, ok, or corrupt with the
 * reason. Mirrors keep every object in packs (transfer.unpackLimit=1), so checking each pack against
 * its index covers deleted and truncated object files.
 */
export async function inspectMirror(path: string): Promise<MirrorHealth> {
  const top = await stat(path).catch((err: NodeJS.ErrnoException) => err);
  if (top instanceof Error)
    return top.code === "ENOENT" ? { state: "missing" } : { state: "corrupt", reason: top.message };
  if (!top.isDirectory()) return { state: "corrupt", reason: `'${path}' is not a directory` };
  for (const [name, dir] of [
    ["HEAD", false],
    ["config", false],
    ["objects/pack", true],
    ["refs", true],
  ] as const) {
    const s = await stat(join(path, name)).catch(() => undefined);
    if (s === undefined || s.isDirectory() !== dir) return { state: "corrupt", reason: `'${name}' is missing` };
  }
  const packDir = join(path, "objects", "pack");
  let names: string[];
  try {
    names = await readdir(packDir);
  } catch (err) {
    return { state: "corrupt", reason: `cannot list '${packDir}': ${errorMessage(err)}` };
  }
  for (const name of names) {
    if (!name.endsWith(".idx")) continue;
    const base = join(packDir, name.slice(0, -4));
    const problem = await packMatchesIndex(`${base}.idx`, `${base}.pack`).catch((err: unknown) => errorMessage(err));
    if (problem !== undefined) return { state: "corrupt", reason: problem };
  }
  return { state: "ok" };
}

/** The thorough check, for when a fetch into the mirror failed: is it the mirror or the network? */
export async function fsckMirror(path: string, signal: AbortSignal): Promise<MirrorHealth> {
  const quick = await inspectMirror(path);
  if (quick.state !== "ok") return quick;
  const r = await runGit(["fsck", "--connectivity-only", "--no-dangling", "--no-progress"], {
    cwd: path,
    signal,
    check: false,
  });
  if (r.code === 0) return { state: "ok" };
  return { state: "corrupt", reason: r.stderr.trim().split("\n").slice(0, 3).join("; ") || `git fsck exit ${r.code}` };
}
