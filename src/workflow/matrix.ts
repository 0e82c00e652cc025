import { isDeepStrictEqual } from "node:util";
import { PoolError } from "../lib/index.js";

/** GitHub refuses a matrix that expands beyond this. */
export const MAX_MATRIX_COMBINATIONS = 256;

export type MatrixCombination = Record<string, unknown>;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function invalid(message: string): PoolError {
  return new PoolError("WORKFLOW_INVALID", message);
}

function entries(value: unknown, kind: "include" | "exclude"): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((e) => {
    if (!isRecord(e))
      throw invalid(`matrix '${kind}' entry ${JSON.stringify(e)} is not a mapping: write 'key: value' pairs`);
    return e;
  });
}

/** True when every key of `filter` that is in `keys` has an equal value in `combo`. */
function matchesOn(combo: MatrixCombination, filter: Record<string, unknown>, keys: ReadonlySet<string>): boolean {
  return Object.entries(filter).every(([k, v]) => !keys.has(k) || isDeepStrictEqual(combo[k], v));
}

/**
 * Expands an evaluated `strategy.matrix` with GitHub's rules: the product of the vectors (first key
 * varies slowest), minus `exclude` entries (partial matches), then each `include` entry is merged into
 * every combination whose original vector values it does not contradict (values added by an earlier
 * include may be overwritten), or becomes a new combination when it matches none.
 * Throws PoolError WORKFLOW_INVALID naming the bad part.
 */
export function expandMatrix(matrix: unknown): MatrixCombination[] {
  if (!isRecord(matrix))
    throw invalid(`matrix ${JSON.stringify(matrix)} is not a mapping: write 'key: [values]' pairs`);
  const vectors: [string, unknown[]][] = [];
  for (const [key, value] of Object.entries(matrix)) {
    if (key === "include" || key === "exclude") continue;
    if (!Array.isArray(value)) throw invalid(`matrix vector '${key}' is not a list: write '${key}: [a, b]'`);
    if (value.length === 0) throw invalid(`matrix vector '${key}' is empty: give it at least one value`);
    vectors.push([key, value]);
  }
  const keys = new Set(vectors.map(([k]) => k));
  const excludes = entries(matrix.exclude, "exclude");
  const includes = entries(matrix.include, "include");
  for (const ex of excludes)
    for (const k of Object.keys(ex))
      if (!keys.has(k))
        throw invalid(
          `matrix 'exclude' key '${k}' is not a matrix vector: use one of ${[...keys].map((x) => `'${x}'`).join(", ") || "no keys"}`,
        );

  let combos: MatrixCombination[] = [];
  if (vectors.length > 0) {
    combos = [{}];
    for (const [key, values] of vectors) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
    // Exclude entries match on the keys they name only.
    combos = combos.filter((c) => !excludes.some((ex) => matchesOn(c, ex, keys)));
  }
  const originals = combos;
  const extra: MatrixCombination[] = [];
  for (const inc of includes) {
    let matched = false;
    if (vectors.length > 0) {
      for (const combo of originals) {
        if (!matchesOn(combo, inc, keys)) continue;
        matched = true;
        for (const [k, v] of Object.entries(inc)) if (!keys.has(k)) combo[k] = v;
      }
    }
    if (!matched) extra.push({ ...inc });
  }
  const all = [...originals, ...extra];
  if (all.length === 0) throw invalid("matrix has no combinations (everything is excluded): remove an 'exclude' entry");
  if (all.length > MAX_MATRIX_COMBINATIONS)
    throw invalid(
      `matrix has ${all.length} combinations, more than ${MAX_MATRIX_COMBINATIONS}: split the job or narrow the vectors`,
    );
  return all;
}

/** Go's fmt.Sprint, which Gitea uses for the `(v1, v2)` name suffix. */
export function goSprint(value: unknown): string {
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(goSprint).join(" ")}]`;
  if (isRecord(value))
    return `map[${Object.keys(value)
      .sort()
      .map((k) => `${k}:${goSprint(value[k])}`)
      .join(" ")}]`;
  return String(value);
}

/** Gitea's `matrixName`: the values in key order, `(linux, 18)`. */
export function matrixName(combo: MatrixCombination): string {
  const keys = Object.keys(combo).sort();
  return `(${keys.map((k) => goSprint(combo[k])).join(", ")})`;
}
