import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-write.js";
import { discoverWorkflowFiles } from "./discover.js";
import { type RewriteEvent, type RewriteOptions, rewriteWorkflow } from "./rewrite.js";
import { unifiedDiff } from "./unified-diff.js";
import type { YamlProblem } from "./workflow-file.js";

export interface RewriteDirectoryOptions extends RewriteOptions {
  /** Compute and report, write nothing. */
  dryRun?: boolean;
}

/** What happened to one workflow file. */
export interface RewriteFileResult {
  /** The input, relative to the directory. */
  file: string;
  /** Where the result goes: the input itself, or its `-v2` sibling. */
  target: string;
  status: "changed" | "unchanged" | "invalid";
  /** Unified diff from the target's current content ("" when unchanged). */
  diff: string;
  changes: RewriteEvent[];
  notes: RewriteEvent[];
  problems: YamlProblem[];
}

const V2 = /-v2(\.ya?ml)$/;

/** `release.yml` -> `release-v2.yml`. */
export function v2Name(file: string): string {
  return file.replace(/(\.ya?ml)$/, "-v2$1");
}

async function readIfExists(path: string, signal: AbortSignal): Promise<string | undefined> {
  try {
    return await readFile(path, { encoding: "utf8", signal });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/**
 * Rewrites every workflow under `dir` (in place, or beside it as `<name>-v2.yml` with `v2`).
 * Malformed files are reported and left untouched; each write is atomic.
 */
export async function rewriteDirectory(
  dir: string,
  options: RewriteDirectoryOptions,
  signal: AbortSignal,
): Promise<RewriteFileResult[]> {
  const files = await discoverWorkflowFiles(dir, signal);
  const known = new Set(files.map((f) => f.file));
  const results: RewriteFileResult[] = [];
  for (const f of files) {
    // in v2 mode the copies made by an earlier run are outputs, not inputs
    if (options.v2 && V2.test(f.file) && known.has(f.file.replace(V2, "$1"))) continue;
    const text = await readFile(f.path, { encoding: "utf8", signal });
    const outcome = rewriteWorkflow(f.file, text, options);
    const target = options.v2 ? v2Name(f.file) : f.file;
    const base = { file: f.file, target, diff: "", changes: [], notes: [], problems: [] };
    if (!outcome.ok) {
      results.push({ ...base, status: "invalid", problems: outcome.problems });
      continue;
    }
    const targetPath = join(dir, target);
    const current = options.v2 ? await readIfExists(targetPath, signal) : text;
    const wanted = outcome.changes.length > 0 ? outcome.text : current;
    if (wanted === undefined || wanted === current) {
      results.push({ ...base, status: "unchanged", notes: outcome.notes });
      continue;
    }
    const diff = unifiedDiff(current === undefined ? "/dev/null" : `a/${target}`, `b/${target}`, current ?? "", wanted);
    if (!options.dryRun) await writeFileAtomic(targetPath, wanted, signal);
    results.push({ ...base, status: "changed", diff, changes: outcome.changes, notes: outcome.notes });
  }
  return results;
}
