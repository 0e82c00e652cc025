import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

/** A file larger than this is not a credential; it is not read for masking. */
const MAX_SECRET_FILE_BYTES = 1 << 20;

/**
 * The text of every regular file under a role's `secrets_dir`, so a job that prints one (`cat
 * $RUNNERPOOL_SECRETS_DIR/token`) gets `***`. Unreadable entries are skipped: the backend reports a
 * secrets_dir it cannot use.
 */
export async function secretFileValues(dir: string | undefined): Promise<string[]> {
  if (dir === undefined) return [];
  const values: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries: string[];
    try {
      entries = await readdir(d);
    } catch {
      return;
    }
    for (const name of entries) {
      const p = join(d, name);
      try {
        const s = await stat(p);
        if (s.isDirectory()) await walk(p);
        else if (s.isFile() && s.size <= MAX_SECRET_FILE_BYTES) values.push(await readFile(p, "utf8"));
      } catch {
        // gone or unreadable: nothing to mask
      }
    }
  };
  await walk(dir);
  return values;
}
