import type { Store } from "../store/db.js";
import type { WakeQueue } from "./queue.js";
import type { UnservableWatch } from "./unservable.js";
import { type JobView, jobView, type QueueGroup, queueByLabels, type RunView, runView } from "./views.js";

/** The job's log: runner rows in their order, coordinator notes placed where they happened in time. */
export function mergedJobLog(store: Store, jobId: number): string[] {
  const job = store.jobs.get(jobId);
  if (!job) return [];
  // Every attempt's rows, oldest first: a lost attempt's log stays before the one that ran again.
  const rows = store.tasks.ofJob(jobId).flatMap((t) => store.logs.rows(t.id));
  const notes = store.logs.messages(jobId);
  const out: string[] = [];
  let n = 0;
  for (const row of rows) {
    while (n < notes.length && notes[n]!.time < row.time) out.push(notes[n++]!.content);
    out.push(row.content);
  }
  while (n < notes.length) out.push(notes[n++]!.content);
  return out;
}

/** The read side of the engine: views of runs, jobs, logs and the queue. */
export function createReadModel(store: Store, unservable: UnservableWatch, queue: WakeQueue) {
  return {
    getRun(runId: number): RunView | undefined {
      const run = store.runs.get(runId);
      return run && runView(store, run);
    },
    listRuns(o: { limit?: number } = {}): RunView[] {
      return store.runs.list(o.limit ?? 100).map((r) => runView(store, r));
    },
    getJob(jobId: number): JobView | undefined {
      const job = store.jobs.get(jobId);
      return job && jobView(store, job);
    },
    jobLog: (jobId: number): string[] => mergedJobLog(store, jobId),
    queueByLabels: (): QueueGroup[] => queueByLabels(store),
    unservableReason: (jobId: number): string | undefined => unservable.reason(jobId),
    heldFetches: (): number => queue.size,
  };
}
