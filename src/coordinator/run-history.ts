import { mergedJobLog } from "./engine/read-model.js";
import { jobView, runView } from "./engine/views.js";
import type { RunHistoryPort } from "./ports.js";
import { openStore } from "./store/db.js";

export interface RunHistory extends RunHistoryPort {
  close(): void;
}

/**
 * The runs of a coordinator database, read without starting a coordinator: no sweeps, no queue, no
 * server, so nothing is reaped or changed while a command such as `migrate compare` looks at a run.
 */
export function openRunHistory(dbPath: string): RunHistory {
  const store = openStore(dbPath);
  return {
    getRun(runId) {
      const run = store.runs.get(runId);
      return run && runView(store, run);
    },
    listRuns(options = {}) {
      return store.runs.list(options.limit ?? 100).map((r) => runView(store, r));
    },
    getJob(jobId) {
      const job = store.jobs.get(jobId);
      return job && jobView(store, job);
    },
    jobLog: (jobId) => mergedJobLog(store, jobId),
    close: () => store.close(),
  };
}
