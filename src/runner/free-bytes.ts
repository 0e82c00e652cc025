import { mkdir, statfs } from "node:fs/promises";

/** Bytes an unprivileged writer may still use on the filesystem holding `path` (created if missing). */
export async function freeBytes(path: string): Promise<number> {
  await mkdir(path, { recursive: true });
  const s = await statfs(path);
  return s.bavail * s.bsize;
}
