import { existsSync } from "node:fs";
import { mkdir, readFile, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { isScalar, stringify } from "yaml";
import { PoolError } from "../lib/index.js";
import { writeFileAtomic } from "./atomic-write.js";
import { isV2File, workflowKey } from "./comparable-run.js";
import { type HistoryEntry, type PromotionEntry, promotionStreak } from "./migrate-history.js";
import { applyEdits } from "./text-edit.js";
import { loadWorkflow } from "./workflow-file.js";
import { mapValue, scalarText } from "./yaml-nodes.js";

/** The design document's rule: v2 runs beside v1 until green for 3+ consecutive releases. */
export const DEFAULT_REQUIRED_STREAK = 3;

export interface PromoteOptions {
  /** Path of the v1 or the v2 workflow file. */
  workflowFile: string;
  history: HistoryEntry[];
  /** Consecutive green-and-equal comparisons needed (default 3). */
  required?: number;
  /** Where v1 goes; default `<workflows dir>-archive` beside the workflows dir (`.gitea/workflows-archive`). */
  archiveDir?: string;
  /** Decide and report, change nothing. */
  dryRun?: boolean;
  now?: Date;
}

export interface PromoteResult {
  workflow: string;
  promoted: boolean;
  /** Why not, when not promoted. */
  reason?: string;
  streak: number;
  required: number;
  v1: string;
  v2: string;
  /** Where v1 was (or would be) archived. */
  archived?: string;
  /** The entry to append to the history when something was promoted. */
  entry?: PromotionEntry;
}

/** Drops the ` (v2)` that `rewrite --v2` put on the workflow's name; other text stays byte for byte. */
export function unmarkV2Name(file: string, text: string): string {
  const loaded = loadWorkflow(file, text);
  if (!loaded.ok) {
    const p = loaded.problems[0];
    throw new PoolError("WORKFLOW_INVALID", `${p?.message ?? "invalid YAML"}: fix the v2 workflow first`, {
      file,
      ...(p ? { line: p.line, col: p.col } : {}),
    });
  }
  const wf = loaded.workflow;
  const name = mapValue(wf.doc, wf.root, "name");
  const current = isScalar(name) ? scalarText(name) : undefined;
  if (!isScalar(name) || !name.range || current === undefined || !/\s*\(v2\)$/.test(current)) return text;
  const plain = current.replace(/\s*\(v2\)$/, "");
  const rendered =
    name.type === "QUOTE_DOUBLE"
      ? JSON.stringify(plain)
      : name.type === "QUOTE_SINGLE"
        ? `'${plain.replace(/'/g, "''")}'`
        : stringify(plain, { lineWidth: 0 }).trimEnd();
  return applyEdits(text, [{ start: name.range[0], end: name.range[1], insert: rendered }]);
}

function siblings(file: string): { v1: string; v2: string; key: string } {
  const dir = dirname(file);
  const key = workflowKey(file);
  const find = (stem: string) =>
    [".yml", ".yaml"].map((ext) => join(dir, `${stem}${ext}`)).find((p) => existsSync(p)) ?? join(dir, `${stem}.yml`);
  return isV2File(file) ? { v1: find(key), v2: file, key } : { v1: file, v2: find(`${key}-v2`), key };
}

function archivePath(archiveDir: string, v1: string, now: Date): string {
  const plain = join(archiveDir, basename(v1));
  if (!existsSync(plain)) return plain;
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
  return join(archiveDir, basename(v1).replace(/(\.ya?ml)$/, `.${stamp}$1`));
}

/**
 * Replaces v1 with v2 once the history shows `required` consecutive green comparisons with equal
 * results and artifacts. Order of writes: v1 is copied to the archive, the promoted text replaces v1
 * by rename, then v2 is removed; each step is atomic and a crash between them leaves v1 readable. A
 * rerun after such a crash (v1 already promoted) only removes v2.
 */
export async function promoteWorkflow(options: PromoteOptions, signal: AbortSignal): Promise<PromoteResult> {
  const required = options.required ?? DEFAULT_REQUIRED_STREAK;
  const now = options.now ?? new Date();
  const { v1, v2, key } = siblings(options.workflowFile);
  const { streak, breaker, total } = promotionStreak(options.history, key);
  const base = { workflow: key, promoted: false, streak, required, v1, v2 };
  if (!existsSync(v2)) return { ...base, reason: `${v2} does not exist: run \`migrate rewrite --v2\` first` };
  if (!existsSync(v1)) return { ...base, reason: `${v1} does not exist: nothing to promote over` };
  if (streak < required) {
    const why =
      total === 0
        ? `no comparisons of ${key} recorded yet: run \`migrate compare\` on v1 and v2 runs`
        : breaker
          ? `${streak} of ${required} consecutive equal comparisons; the last non-equal one (${breaker.at}): ${
              breaker.green ? "" : "v2 not green; "
            }${breaker.reasons.join("; ") || "results or artifacts differ"}`
          : `${streak} of ${required} consecutive equal comparisons: compare ${required - streak} more run(s)`;
    return { ...base, reason: why };
  }
  const v1Text = await readFile(v1, { encoding: "utf8", signal });
  const promoted = unmarkV2Name(v2, await readFile(v2, { encoding: "utf8", signal }));
  const archiveDir = options.archiveDir ?? `${dirname(v1)}-archive`;
  const resumed = v1Text === promoted;
  const archived = resumed ? undefined : archivePath(archiveDir, v1, now);
  const entry: PromotionEntry = { kind: "promoted", workflow: key, at: now.toISOString(), archived: archived ?? "" };
  const result = { ...base, promoted: true, ...(archived ? { archived } : {}), entry };
  if (options.dryRun) return result;
  if (archived) {
    await mkdir(archiveDir, { recursive: true });
    await writeFileAtomic(archived, v1Text, signal);
    await writeFileAtomic(v1, promoted, signal);
  }
  await unlink(v2);
  return result;
}
