import type { JobResult } from "../lib/index.js";
import type { EvaluateOptions, ExpressionContexts, StatusFunctions } from "../workflow/index.js";
import type { StaticContexts } from "./contexts.js";

/** How a finished step ended, as the `steps` context shows it. */
export interface StepConclusion {
  outputs: Record<string, string>;
  outcome: JobResult;
  conclusion: JobResult;
}

/** How the running job stands so far, as `success()`, `failure()` and `cancelled()` read it. */
export type JobConclusion = Exclude<JobResult, "skipped">;

/**
 * A list of steps being run with its own `steps` context and status: the job's steps, or the steps
 * of one composite action. Step-scope status functions answer from the frame.
 */
export interface StepFrame {
  readonly job: JobState;
  readonly steps: Record<string, StepConclusion>;
  /** Set once a step of this frame fails without continue-on-error. */
  failed: boolean;
  /** Steps inside a composite action: not reported to the forge as steps of their own. */
  readonly nested: boolean;
  /** The `env:` of the enclosing `uses:` steps, visible to every step of a composite. */
  readonly outerEnv: Record<string, string>;
  /** GITHUB_ACTION_PATH and friends of the enclosing composite action. */
  readonly actionEnv: Record<string, string>;
  /** The `env` context for a step of this frame with the given own `env:`. */
  env(stepEnv?: Record<string, string>): Record<string, string>;
  contexts(stepEnv?: Record<string, string>): ExpressionContexts;
  evaluateOptions(): EvaluateOptions;
}

/**
 * What changes while a job runs: its status, the environment built up by GITHUB_ENV and
 * GITHUB_PATH, and the `steps` context of the job's own steps (the root frame).
 */
export class JobState implements StepFrame {
  readonly base: StaticContexts;
  readonly nested = false;
  readonly outerEnv: Record<string, string> = {};
  readonly actionEnv: Record<string, string> = {};
  /** Set once a step fails without continue-on-error (or the job setup failed). */
  failed = false;
  /** Set when the job is cancelled or runs out of time: `cancelled()` is true from then on. */
  stopping: "cancelled" | "timeout" | undefined;
  workflowEnv: Record<string, string> = {};
  jobEnv: Record<string, string> = {};
  /** From GITHUB_ENV, for later steps. */
  readonly addedEnv: Record<string, string> = {};
  /** From GITHUB_PATH; the latest addition comes first in PATH. */
  readonly pathAdditions: string[] = [];
  readonly steps: Record<string, StepConclusion> = {};
  hashFiles: ((patterns: string[]) => string) | undefined;

  constructor(base: StaticContexts) {
    this.base = base;
  }

  get job(): JobState {
    return this;
  }

  get status(): JobConclusion {
    if (this.stopping) return "cancelled";
    return this.failed ? "failure" : "success";
  }

  readonly statusFunctions: StatusFunctions = {
    success: () => this.status === "success",
    failure: () => this.status === "failure",
    cancelled: () => this.stopping !== undefined,
  };

  /** The `env` context: workflow < job < GITHUB_ENV < step. */
  env(stepEnv: Record<string, string> = {}): Record<string, string> {
    return { ...this.workflowEnv, ...this.jobEnv, ...this.addedEnv, ...stepEnv };
  }

  contexts(stepEnv?: Record<string, string>): ExpressionContexts {
    return {
      ...this.base,
      env: this.env(stepEnv),
      job: { ...this.base.job, status: this.status },
      steps: this.steps,
    };
  }

  evaluateOptions(): EvaluateOptions {
    return withHashFiles({ status: this.statusFunctions }, this.hashFiles);
  }
}

export function withHashFiles(
  options: EvaluateOptions,
  hashFiles: ((patterns: string[]) => string) | undefined,
): EvaluateOptions {
  return hashFiles ? { ...options, hashFiles } : options;
}
