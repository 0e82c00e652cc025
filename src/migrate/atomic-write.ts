import { randomBytes } from "node:crypto";
import { open, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Writes `text` to `path` so readers see the old file or the new one, never half of it: a temp
 * file in the same directory (same filesystem, so rename is atomic), flushed, then renamed over.
 * The original's permission bits are kept.
 */
export async function writeFileAtomic(path: string, text: string, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  let mode = 0o644;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch {
    // a new file (the -v2 copy) gets the default mode
  }
  const fh = await open(tmp, "wx", mode);
  try {
    try {
      await fh.chmod(mode);
      await fh.writeFile(text, { encoding: "utf8", signal });
      await fh.sync();
    } finally {
      await fh.close();
    }
    signal.throwIfAborted();
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
