import { type ComparableRun, isV2File, workflowKey } from "./comparable-run.js";

export interface RunPairs {
  pairs: [ComparableRun, ComparableRun][];
  /** Runs that found no counterpart, as messages. */
  unpaired: string[];
}

function pick(runs: ComparableRun[], v2: boolean): ComparableRun | undefined {
  return runs.find((r) => isV2File(r.workflow) === v2) ?? runs[0];
}

function groups(runs: ComparableRun[]): Map<string, ComparableRun[]> {
  const map = new Map<string, ComparableRun[]>();
  for (const r of runs) {
    const key = workflowKey(r.workflow);
    map.set(key, [...(map.get(key) ?? []), r]);
  }
  return map;
}

/**
 * Which run is compared with which. Two sources of one run each are compared as they are; otherwise
 * runs pair by workflow (`x.yml` with `x-v2.yml`), A preferring v1 and B preferring v2. With one
 * source only (`b` undefined), its v1 runs pair with its v2 runs.
 */
export function pairRuns(a: ComparableRun[], b: ComparableRun[] | undefined): RunPairs {
  const pairs: [ComparableRun, ComparableRun][] = [];
  const unpaired: string[] = [];
  if (b === undefined) {
    for (const [key, runs] of groups(a)) {
      const v1 = runs.find((r) => !isV2File(r.workflow));
      const v2 = runs.find((r) => isV2File(r.workflow));
      if (v1 && v2) pairs.push([v1, v2]);
      else unpaired.push(`${key}: ${(v1 ?? v2)?.source} has no ${v1 ? "v2" : "v1"} run of it`);
    }
    return { pairs, unpaired };
  }
  const [onlyA] = a;
  const [onlyB] = b;
  if (a.length === 1 && b.length === 1 && onlyA && onlyB) return { pairs: [[onlyA, onlyB]], unpaired };
  const ga = groups(a);
  const gb = groups(b);
  for (const [key, runs] of ga) {
    const other = gb.get(key);
    const ra = pick(runs, false);
    const rb = other && pick(other, true);
    if (ra && rb) pairs.push([ra, rb]);
    else unpaired.push(`${key}: only in ${runs[0]?.source}`);
  }
  for (const [key, runs] of gb) if (!ga.has(key)) unpaired.push(`${key}: only in ${runs[0]?.source}`);
  return { pairs, unpaired };
}
