import type { EvaluateOptions, ExpressionContexts, Step } from "../../workflow/index.js";
import type { ActionResolver, LoadedAction } from "../actions/action-resolver.js";
import type { JobEnvironment } from "../backend.js";
import type { GitPolicy } from "../git/git-policy.js";
import type { JobLog } from "../job-log.js";
import type { StepOutput } from "../step-output.js";

/**
 * A phase that runs after all main steps (GitHub's "Post <step>"), in reverse order of
 * registration, only for steps whose main phase ran.
 */
export interface PostStep {
  /** Shown in the log as `Post <name>`. */
  name: string;
  /** `post-if`; default `always()`. Evaluated with the job's status at that point. */
  condition?: string;
  run(context: StepContext): Promise<StepOutcome>;
}

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
  /**
   * The step's `with:` evaluated to strings, keys as written. Actions with an action.yml apply
   * their declared defaults themselves; built-in actions read this directly.
   */
  inputs: Record<string, string>;
  /** Working directory as processes see it. */
  workingDirectory: string;
  /** `defaults.run.shell` (job over workflow), interpolated; undefined when not set. */
  defaultShell: string | undefined;
  /** Whether the backend has bash (probed once per job). */
  hasBash(): Promise<boolean>;
  /** Aborted on cancellation and on step or job timeout; processes must die with it. */
  signal: AbortSignal;
  output: StepOutput;
  /** Sets `steps.<id>.outputs.<name>` (file commands written by processes are added on top). */
  setOutput(name: string, value: string): void;
  /** Schedules a post phase for the end of the job. */
  addPost(post: PostStep): void;
  /** Services the executor offers to step kinds (actions cache, nested step execution, ...). */
  services: StepServices;
}

/** Job-wide facilities a step kind may need beyond its own step; filled by the executor. */
export interface StepServices {
  /** The Node.js binary as steps see it (JavaScript actions run with it). */
  nodePath: string;
  /** Which kind of backend runs the job (`host`, `sandbox`, `docker`, `podman`, …). */
  backendName: string;
  /** Whether the backend runs steps in containers (docker:// steps, Docker actions, job containers). */
  containers: boolean;
  /** Loads the action of a `uses:` (local from the workspace, remote through the host's cache). */
  actions: ActionResolver;
  /** The pool's checkout policy, for the built-in `actions/checkout`. */
  git?: GitPolicy;
  /** Runs a composite action's steps in a frame of their own, under the step's signal. */
  runComposite(request: CompositeRequest): Promise<CompositeResult>;
}

export interface CompositeRequest {
  steps: Step[];
  inputs: Record<string, string>;
  action: LoadedAction;
}

export interface CompositeResult {
  /** A step of the composite failed (without continue-on-error). */
  failed: boolean;
  /** The composite's contexts after its steps, for its `outputs`. */
  contexts: ExpressionContexts;
  evaluate: EvaluateOptions;
}

/** The raw result of a step's main phase; cancellation and timeouts are decided by the executor. */
export type StepOutcome = "success" | "failure";

/**
 * One kind of step (`run:`, JavaScript, composite and docker actions, built-in actions). Each kind
 * lives in its own file; `createStepRunner` picks one per step.
 */
export interface StepRunner {
  readonly kind: string;
  /** Display name when the step has no `name:` (GitHub's `Run <first line>`). */
  defaultName(step: Step): string;
  main(context: StepContext): Promise<StepOutcome>;
}
