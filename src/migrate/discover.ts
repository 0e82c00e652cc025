import { realpath } from "node:fs/promises";
import { join } from "node:path";
import { listWorkingTree, WORKFLOW_DIRS, workflowFilesIn } from "../workflow/index.js";

/** A workflow file found under the audited directory. */
export interface WorkflowPath {
  /** Absolute path. */
  path: string;
  /** Relative to the audited directory, `/`-separated: what reports show. */
  file: string;
}

/**
 * The workflow files `migrate` reads under `dir`: those of every forge workflow directory, not only
 * the first one a forge reads (a leftover laptop-era copy in another directory needs migrating too),
 * and of `dir` itself when it holds workflows directly; sorted, each file once.
 */
export async function discoverWorkflowFiles(dir: string, signal: AbortSignal): Promise<WorkflowPath[]> {
  const list = listWorkingTree(dir, signal);
  const seen = new Set<string>();
  const out: WorkflowPath[] = [];
  // WORKFLOW_DIRS' order decides which of two links to one file is kept: the one a forge would read.
  for (const sub of [...WORKFLOW_DIRS, "."]) {
    for (const file of await workflowFilesIn(sub, list)) {
      const path = join(dir, file);
      const real = await realpath(path);
      if (seen.has(real)) continue;
      seen.add(real);
      out.push({ path, file });
    }
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
