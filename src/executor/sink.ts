import type { JobResult } from "../lib/index.js";

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
  stepFinished(index: number, result: JobResult, outcome: JobResult): void;
  /** Job outputs, evaluated after the steps. */
  outputs(values: Record<string, string>): void;
}
