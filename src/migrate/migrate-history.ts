import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { PoolError } from "../lib/index.js";
import type { RunComparison } from "./compare-runs.js";

/** Default file name inside the history directory (`.runnerpool/` unless `--history DIR`). */
export const HISTORY_FILE = "migrate-history.jsonl";

export interface ComparisonEntry {
  kind: "comparison";
  /** The workflow key (`probe-release`). */
  workflow: string;
  at: string;
  /** Results and artifacts equal. */
  equal: boolean;
  /** B (the v2) succeeded. */
  green: boolean;
  resultsEqual: boolean;
  artifactsEqual: boolean;
  a: { source: string; workflow: string };
  b: { source: string; workflow: string };
  ratio?: number;
  reasons: string[];
}

export interface PromotionEntry {
  kind: "promoted";
  workflow: string;
  at: string;
  /** Where v1 went. */
  archived: string;
}

/** One line of the history file (JSON lines, appended, never rewritten). */
export type HistoryEntry = ComparisonEntry | PromotionEntry;

export function comparisonEntry(c: RunComparison, at: Date): ComparisonEntry {
  return {
    kind: "comparison",
    workflow: c.workflow,
    at: at.toISOString(),
    equal: c.equal,
    green: c.b.green,
    resultsEqual: c.resultsEqual,
    artifactsEqual: c.artifactsEqual,
    a: { source: c.a.source, workflow: c.a.workflow },
    b: { source: c.b.source, workflow: c.b.workflow },
    ...(c.ratio === undefined ? {} : { ratio: c.ratio }),
    reasons: c.reasons,
  };
}

/** Appends entries, one JSON object per line, creating the file and its directory. */
export async function appendHistory(file: string, entries: HistoryEntry[], signal: AbortSignal): Promise<void> {
  if (entries.length === 0) return;
  signal.throwIfAborted();
  await mkdir(dirname(file), { recursive: true });
  // One write per call: concurrent compares append whole lines.
  await appendFile(file, entries.map((e) => `${JSON.stringify(e)}\n`).join(""), { encoding: "utf8" });
}

/** The history in file order; a missing file is an empty history, a damaged line an error with its line. */
export async function readHistory(file: string, signal: AbortSignal): Promise<HistoryEntry[]> {
  let text: string;
  try {
    text = await readFile(file, { encoding: "utf8", signal });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const entries: HistoryEntry[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    const e = value as Partial<HistoryEntry> | undefined;
    if (!e || typeof e.workflow !== "string" || (e.kind !== "comparison" && e.kind !== "promoted")) {
      throw new PoolError("INVALID_ARGUMENT", "history line is not a comparison or promotion entry: fix or remove it", {
        file,
        line: i + 1,
        col: 1,
      });
    }
    entries.push(e as HistoryEntry);
  });
  return entries;
}

export interface Streak {
  /** Consecutive green-and-equal comparisons, newest backwards, since the last promotion. */
  streak: number;
  /** The comparison that ended the streak, if one did. */
  breaker?: ComparisonEntry;
  /** All comparisons of the workflow since its last promotion. */
  total: number;
}

export function promotionStreak(entries: HistoryEntry[], workflow: string): Streak {
  const mine = entries.filter((e) => e.workflow === workflow);
  const lastPromotion = mine.findLastIndex((e) => e.kind === "promoted");
  const since = mine.slice(lastPromotion + 1).filter((e): e is ComparisonEntry => e.kind === "comparison");
  let streak = 0;
  for (let i = since.length - 1; i >= 0; i--) {
    const e = since[i] as ComparisonEntry;
    if (!(e.equal && e.green)) return { streak, breaker: e, total: since.length };
    streak++;
  }
  return { streak, total: since.length };
}
