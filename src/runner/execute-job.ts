import type { JobOutcome, JobRequest, JobSink } from "../executor/index.js";

/** One job as the runner hands it over: what the task says, where its report goes, when to stop. */
export interface JobExecution {
  request: JobRequest;
  sink: JobSink;
  /** Aborting cancels the job. */
  signal: AbortSignal;
  runnerName: string;
  /** Unique per running job (derived from the task id); names the job's directories. */
  jobKey: string;
  /** Bound of `if: always()` steps after a cancel; undefined keeps the executor's default. */
  cancelTimeoutMs?: number;
}

/**
 * Runs one job to its outcome. The runner decides only when a job runs and how it is reported; where
 * and how it runs (backend, checkout policy, env, limits) is bound in by the composition root, one
 * function per role.
 */
export type ExecuteJob = (job: JobExecution) => Promise<JobOutcome>;
