import type { Backend } from "./backend.js";
import type { JobSink, Result } from "./sink.js";

/** One job as a forge hands it over (decoded from runner.v1.Task), independent of the protocol. */
export interface JobRequest {
  /** YAML of a single-job workflow, shaped like Gitea's payload (needs erased). */
  payload: string;
  /** The `github` context as sent by the forge (Task.context). */
  context: Record<string, unknown>;
  secrets: Record<string, string>;
  vars: Record<string, string>;
  /** Needed job id -> its outputs and result. */
  needs: Record<string, { outputs: Record<string, string>; result: Result }>;
}

export interface RunJobOptions {
  request: JobRequest;
  backend: Backend;
  sink: JobSink;
  /** Aborting cancels the job: running processes are killed, remaining steps are cancelled. */
  signal: AbortSignal;
  /** Extra environment for every step (runner-wide envs). */
  env?: Record<string, string>;
  runnerName?: string;
  /** Names the job's directories; unique per running job (e.g. the task id). Default: a random id. */
  jobKey?: string;
  /**
   * Upper bound for a step that runs after the job was cancelled or timed out (`if: always()`);
   * the job's `cancel-timeout-minutes` may only shorten it. Default 5 minutes. Keep it below the
   * caller's own grace for a cancelled job.
   */
  cancelTimeoutMs?: number;
}

export interface JobOutcome {
  result: Result;
  outputs: Record<string, string>;
  steps: { name: string; result: Result; outcome: Result }[];
}
