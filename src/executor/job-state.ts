import type { EvaluateOptions, ExpressionContexts, StatusFunctions } from "../workflow/index.js";
import type { StaticContexts } from "./contexts.js";
import type { Result } from "./sink.js";

export interface StepRecord {
  outputs: Record<string, string>;
  outcome: Result;
  conclusion: Result;
}

export type JobStatus = "success" | "failure" | "cancelled";

/**
 * What changes while a job runs: its status, the environment built up by GITHUB_ENV and
 * GITHUB_PATH, and the `steps` context. Step-scope status functions answer from here.
 */
export class JobState {
  readonly base: StaticContexts;
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
  readonly steps: Record<string, StepRecord> = {};
  hashFiles: ((patterns: string[]) => string) | undefined;

  constructor(base: StaticContexts) {
    this.base = base;
  }

  get status(): JobStatus {
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
      job: { status: this.status },
      steps: this.steps,
    };
  }

  evaluateOptions(): EvaluateOptions {
    return this.hashFiles
      ? { status: this.statusFunctions, hashFiles: this.hashFiles }
      : { status: this.statusFunctions };
  }
}
