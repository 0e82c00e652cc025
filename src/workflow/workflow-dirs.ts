import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join, posix } from "node:path";

/**
 * Where forges look for workflows, relative to the repository root, in the order they are tried:
 * the first directory that holds any workflow file wins (Gitea's rule), the others are not read.
 */
export const WORKFLOW_DIRS = [".gitea/workflows", ".forgejo/workflows", ".github/workflows"] as const;

/**
 * Names of the files directly in `dir` (repository-relative, `/`-separated), none when there is no
 * such directory. A git tree lists its blobs, a working tree its files and links to files.
 */
export type ListFiles = (dir: string) => Promise<readonly string[]> | readonly string[];

/** Whether a file name is a workflow's: `.yml` or `.yaml`, nothing else. */
export function isWorkflowFileName(name: string): boolean {
  return /\.ya?ml$/.test(name);
}

/** The workflow files directly in `dir`, as repository-relative paths, sorted. */
export async function workflowFilesIn(dir: string, list: ListFiles): Promise<string[]> {
  const names = (await list(dir)).filter(isWorkflowFileName);
  return names.map((name) => posix.join(dir, name)).sort();
}

/**
 * A repository's workflows, as every road from an event to a run (push, `run`, `pool coverage`)
 * finds them: the workflow files of the first of WORKFLOW_DIRS that has any, repository-relative
 * and sorted; none when no directory has one.
 */
export async function pickWorkflowFiles(list: ListFiles): Promise<string[]> {
  for (const dir of WORKFLOW_DIRS) {
    const files = await workflowFilesIn(dir, list);
    if (files.length > 0) return files;
  }
  return [];
}

/** A ListFiles over a working tree rooted at `root`. */
export function listWorkingTree(root: string, signal: AbortSignal): ListFiles {
  return async (dir) => {
    signal.throwIfAborted();
    let entries: Dirent[];
    try {
      entries = await readdir(join(root, dir), { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    const files: string[] = [];
    for (const e of entries) {
      if (e.isFile() || (e.isSymbolicLink() && (await isFileTarget(join(root, dir, e.name))))) files.push(e.name);
    }
    return files;
  };
}

/** The workflows of the working tree at `repoDir` (see pickWorkflowFiles), relative to it. */
export function findWorkflowFiles(repoDir: string, signal: AbortSignal): Promise<string[]> {
  return pickWorkflowFiles(listWorkingTree(repoDir, signal));
}

function isMissing(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

async function isFileTarget(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
