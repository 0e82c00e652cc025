import type { EvaluateOptions, ExpressionContexts, Step } from "../../workflow/index.js";
import type { JobEnvironment } from "../backend.js";
import type { JobLog } from "../job-log.js";
import type { StepOutput } from "../step-output.js";

/** Everything a step kind needs to run its main phase; the step executor has done the rest. */
export interface StepContext {
  step: Step;
  environment: JobEnvironment;
  log: JobLog;
  /** Expression contexts of this step (`env` includes the step's own `env:`). */
  contexts: ExpressionContexts;
  evaluate: EvaluateOptions;
  /** The complete process environment of the step. */
  env: Record<string, string>;
  /** Working directory as processes see it. */
  workingDirectory: string;
  /** `defaults.run.shell` (job over workflow), interpolated; undefined when not set. */
  defaultShell: string | undefined;
  /** Whether the backend has bash (probed once per job). */
  hasBash(): Promise<boolean>;
  /** Aborted on cancellation and on step or job timeout; processes must die with it. */
  signal: AbortSignal;
  output: StepOutput;
}

/** The raw result of a step's main phase; cancellation and timeouts are decided by the executor. */
export type StepOutcome = "success" | "failure";

/**
 * One kind of step (`run:`, and later JavaScript, composite and docker actions). Each kind lives in
 * its own file; `createStepRunner` picks one per step.
 */
export interface StepRunner {
  readonly kind: string;
  /** Display name when the step has no `name:` (GitHub's `Run <first line>`). */
  defaultName(step: Step): string;
  main(context: StepContext): Promise<StepOutcome>;
}
