/** Result of a job or step, as the forge knows it. */
export type Result = "success" | "failure" | "cancelled" | "skipped";

/**
 * Where a job reports to. The runner's reporter implements it for a forge; `run` without a forge
 * could implement it for a terminal. Calls are synchronous and must never throw into the executor.
 */
export interface JobSink {
  /** One display line of job output (no trailing newline). Masking is already applied. */
  log(line: string): void;
  /** Step `index` (0-based position in the job's `steps:`) started. */
  stepStarted(index: number, name: string): void;
  /** Step finished; `result` is its conclusion (after continue-on-error), `outcome` its raw result. */
  stepFinished(index: number, result: Result, outcome: Result): void;
  /** Job outputs, evaluated after the steps. */
  outputs(values: Record<string, string>): void;
}
