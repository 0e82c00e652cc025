import type { ApiDispatchRequest, ApiJob, ApiPoolStatus, ApiRun, ApiStarted } from "./api-types.js";

// What the web module asks of the forge and the pool: declared here, by their consumer. The
// composition root (cli) binds them to the embedded coordinator and the supervisor's runbook.

/** A change the API follows: a job moved, or a job's log grew by `rows`. */
export type RunChange = { kind: "job"; jobId: number } | { kind: "log"; jobId: number; rows: number };

/** Runs, jobs and logs of the embedded coordinator; absent against an external forge. */
export interface RunsSource {
  /** Newest first. */
  listRuns(options: { limit: number }): ApiRun[];
  getRun(runId: number): ApiRun | undefined;
  getJob(jobId: number): ApiJob | undefined;
  jobLog(jobId: number): string[];
  cancelRun(runId: number): boolean;
  rerun(request: { runId: number; failed?: boolean }): Promise<Partial<ApiStarted> & { workflow: string }>;
  dispatch(
    request: Required<Pick<ApiDispatchRequest, "repo">> & ApiDispatchRequest,
  ): Promise<Partial<ApiStarted> & { workflow: string }>;
  /** The hosted repositories (`owner/name`), so a dispatch may leave the repository out when there is one. */
  repos(): string[];
  /** Calls `listener` after each committed change until the returned function is called. */
  watch(listener: (change: RunChange) => void): () => void;
}

/** The pool's operator side: its status with the queue, and drain. */
export interface PoolSource {
  status(): ApiPoolStatus;
  drain(target: string): Promise<{ drained: string[] }>;
  /** The role of one of this pool's runners, by runner name. */
  roleOfRunner(runner: string): string | undefined;
}

export interface OperatorSources {
  pool: PoolSource;
  runs?: RunsSource;
}
