import { join, relative, sep } from "node:path";
import { PoolError } from "../../lib/index.js";

/** `join(dir, rel)`, refusing a `rel` (a name or path a server sent) that would leave `dir`. */
export function checkedJoin(dir: string, rel: string): string {
  const path = join(dir, rel);
  const back = relative(dir, path);
  if (back === "" || back.startsWith(`..${sep}`) || back === ".." || rel.startsWith("/")) {
    throw new PoolError("FORGE_ERROR", `the server sent the path "${rel}", which leaves "${dir}"`);
  }
  return path;
}
