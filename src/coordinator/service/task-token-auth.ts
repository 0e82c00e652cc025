import type { Store } from "../store/db.js";
import { isFinal } from "../store/records.js";
import { verifyToken } from "./tokens.js";

/** What a valid task token (GITHUB_TOKEN) grants: the job it belongs to. */
export interface TaskTokenInfo {
  taskId: number;
  jobId: number;
  runId: number;
  repo: string;
}

/** Resolves a task token of a running task; undefined for unknown, wrong or finished ones. */
export function authenticateTaskToken(store: Store, token: string): TaskTokenInfo | undefined {
  if (token.length < 8) return undefined;
  for (const task of store.tasks.byTokenLastEight(token.slice(-8))) {
    if (isFinal(task.status) || !verifyToken(token, task.tokenSalt, task.tokenHash)) continue;
    const job = store.jobs.get(task.jobId)!;
    const run = store.runs.get(job.runId)!;
    return { taskId: task.id, jobId: job.id, runId: run.id, repo: run.repo };
  }
  return undefined;
}
