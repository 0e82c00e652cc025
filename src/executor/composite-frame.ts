import type { EvaluateOptions, ExpressionContexts, StatusFunctions } from "../workflow/index.js";
import { type JobState, type StepConclusion, type StepFrame, withHashFiles } from "./job-state.js";

/**
 * The steps of one composite action: their own `steps` context and status, the action's `inputs`,
 * no `secrets` (GitHub's rule), and the `env:` of the `uses:` step visible inside but not after it.
 * GITHUB_ENV and GITHUB_PATH written inside still reach the job's later steps.
 */
export class CompositeFrame implements StepFrame {
  readonly nested = true;
  readonly steps: Record<string, StepConclusion> = {};
  failed = false;
  readonly job: JobState;
  readonly outerEnv: Record<string, string>;
  readonly actionEnv: Record<string, string>;
  readonly #inputs: Record<string, string>;
  readonly #github: Record<string, unknown>;

  constructor(options: {
    job: JobState;
    outerEnv: Record<string, string>;
    actionEnv: Record<string, string>;
    inputs: Record<string, string>;
    github: Record<string, unknown>;
  }) {
    this.job = options.job;
    this.outerEnv = options.outerEnv;
    this.actionEnv = options.actionEnv;
    this.#inputs = options.inputs;
    this.#github = options.github;
  }

  readonly statusFunctions: StatusFunctions = {
    success: () => !this.failed && this.job.stopping === undefined,
    failure: () => this.failed,
    cancelled: () => this.job.stopping !== undefined,
  };

  env(stepEnv: Record<string, string> = {}): Record<string, string> {
    return { ...this.job.env(), ...this.outerEnv, ...stepEnv };
  }

  contexts(stepEnv?: Record<string, string>): ExpressionContexts {
    const status = this.job.stopping ? "cancelled" : this.failed ? "failure" : "success";
    return {
      ...this.job.base,
      github: this.#github,
      secrets: {},
      env: this.env(stepEnv),
      job: { ...this.job.base.job, status },
      steps: this.steps,
      inputs: this.#inputs,
    };
  }

  evaluateOptions(): EvaluateOptions {
    return withHashFiles({ status: this.statusFunctions }, this.job.hashFiles);
  }
}
