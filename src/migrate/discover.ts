import { readdir, realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";

/** Where forges look for workflows, relative to a repository root. */
export const WORKFLOW_DIRS = [".gitea/workflows", ".github/workflows", ".forgejo/workflows"] as const;

/** A workflow file found under the audited directory. */
export interface WorkflowPath {
  /** Absolute path. */
  path: string;
  /** Relative to the audited directory, `/`-separated: what reports show. */
  file: string;
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The `.yml`/`.yaml` files of the forge workflow directories under `dir`, and of `dir` itself when
 * it holds workflows directly, sorted, each file once.
 */
export async function findWorkflowFiles(dir: string, signal: AbortSignal): Promise<WorkflowPath[]> {
  const seen = new Set<string>();
  const out: WorkflowPath[] = [];
  for (const sub of [...WORKFLOW_DIRS, "."]) {
    signal.throwIfAborted();
    const folder = join(dir, sub);
    if (!(await isDir(folder))) continue;
    const names = (await readdir(folder, { withFileTypes: true }))
      .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
      .map((e) => e.name)
      .sort();
    for (const name of names) {
      const path = join(folder, name);
      const real = await realpath(path);
      if (seen.has(real)) continue;
      seen.add(real);
      out.push({ path, file: relative(dir, path).split(sep).join("/") });
    }
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
