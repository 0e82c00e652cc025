import { PoolError } from "../../lib/index.js";
import type { PlannedJob } from "../../workflow/index.js";
import type { Store } from "../store/db.js";
import type { JobRecord, JobResult } from "../store/records.js";
import { isFinal } from "../store/records.js";
import { aggregateResult } from "./status.js";

export interface NeedState {
  result: JobResult;
  outputs: Record<string, string>;
}

/**
 * The `needs` of a job whose needed jobs are all final, keyed by YAML id (Gitea's FindTaskNeeds): matrix
 * siblings sharing an id are merged, non-empty output values win, the result is their aggregate.
 */
export function collectNeeds(store: Store, job: JobRecord, jobsOfRun: readonly JobRecord[]): Record<string, NeedState> {
  const needs: Record<string, NeedState> = {};
  for (const id of job.needs) {
    const siblings = jobsOfRun.filter((j) => j.jobId === id);
    const outputs: Record<string, string> = {};
    for (const s of siblings) {
      if (s.taskId === null) continue;
      for (const [k, v] of Object.entries(store.tasks.outputs(s.taskId))) {
        if (v !== "" || !(k in outputs)) outputs[k] = v;
      }
    }
    const results = siblings.map((s) => s.status).filter(isFinal);
    needs[id] = { result: aggregateResult(results), outputs };
  }
  return needs;
}

/** Every job a blocked job needs (all siblings of each needed id) is final. */
export function needsDone(job: JobRecord, jobsOfRun: readonly JobRecord[]): boolean {
  return jobsOfRun.filter((j) => job.needs.includes(j.jobId)).every((j) => isFinal(j.status));
}

/** Throws INVALID_ARGUMENT when a job needs an unknown job or the needs form a cycle. */
export function checkNeeds(jobs: readonly PlannedJob[]): void {
  const ids = new Set(jobs.map((j) => j.jobId));
  for (const j of jobs) {
    for (const n of j.needs) {
      if (!ids.has(n)) {
        throw new PoolError("INVALID_ARGUMENT", `job "${j.jobId}" needs unknown job "${n}": fix its needs list`);
      }
    }
  }
  const needsOf = new Map<string, string[]>();
  for (const j of jobs) needsOf.set(j.jobId, [...(needsOf.get(j.jobId) ?? []), ...j.needs]);
  const state = new Map<string, "visiting" | "done">();
  const visit = (id: string, path: string[]): void => {
    if (state.get(id) === "done") return;
    if (state.get(id) === "visiting") {
      throw new PoolError(
        "INVALID_ARGUMENT",
        `jobs need each other in a cycle "${[...path, id].join(" -> ")}": break it`,
      );
    }
    state.set(id, "visiting");
    for (const n of needsOf.get(id) ?? []) visit(n, [...path, id]);
    state.set(id, "done");
  };
  for (const id of needsOf.keys()) visit(id, []);
}
