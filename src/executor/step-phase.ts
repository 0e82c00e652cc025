import { posix } from "node:path";
import { errorMessage } from "../lib/index.js";
import {
  type EvaluateOptions,
  type ExpressionContexts,
  evaluateValue,
  interpolate,
  type Job,
  type Step,
  toText,
  type Workflow,
} from "../workflow/index.js";
import { actionEnvironment } from "./actions/node-action.js";
import type { JobEnvironment } from "./backend.js";
import { DEFAULT_PATH } from "./backends/host.js";
import { CompositeFrame } from "./composite-frame.js";
import { githubEnvironment } from "./github-env.js";
import type { JobLog } from "./job-log.js";
import type { JobState, StepFrame } from "./job-state.js";
import { createStepFiles, readStepFiles, type StepFiles } from "./step-files.js";
import { StepOutput } from "./step-output.js";
import type {
  CompositeRequest,
  CompositeResult,
  PostStep,
  StepContext,
  StepOutcome,
  StepServices,
} from "./steps/step-runner.js";

/** A post phase waiting for the end of the job, with what it needs to run then. */
export interface ScheduledPost {
  post: PostStep;
  step: Step;
  frame: StepFrame;
  stepEnv: Record<string, string>;
  /** Display name of the step whose post this is. */
  stepName: string;
}

/** What every step of one job shares. */
export interface JobScope {
  workflow: Workflow;
  job: Job;
  environment: JobEnvironment;
  state: JobState;
  log: JobLog;
  /** Runner-wide variables (RunJobOptions.env). */
  runnerEnv: Record<string, string>;
  debug: boolean;
  hasBash(): Promise<boolean>;
  /** Aborted when the job is cancelled or runs out of time. */
  jobSignal: AbortSignal;
  /** How long a step may run once the job is stopping (`if: always()` after a cancel). */
  cancelTimeoutMs: number;
  /** Post phases in the order their steps ran; run in reverse at job end. */
  posts: ScheduledPost[];
  /** Job-wide services; `runComposite` is added per phase. */
  services: Omit<StepServices, "runComposite">;
  /** Runs one step of a composite frame (step-executor's executeStep, injected to avoid a cycle). */
  executeNested(frame: StepFrame, step: Step, signal: AbortSignal): Promise<unknown>;
  /** `GITHUB_STATE` / `save-state` values of a step, kept across its pre, main and post phases. */
  stepState: WeakMap<Step, Record<string, string>>;
}

export interface PhaseOptions {
  /** The step's own `env:`, evaluated. */
  stepEnv: Record<string, string>;
  /** Display name for error messages. */
  name: string;
  signal: AbortSignal;
  run(context: StepContext): Promise<StepOutcome>;
}

export interface PhaseResult {
  outcome: StepOutcome;
  outputs: Record<string, string>;
}

/** A mapping (`env:`, `with:`) evaluated to strings; an expression error names the key. */
export function evaluateMapping(
  what: string,
  mapping: Record<string, unknown>,
  contexts: ExpressionContexts,
  options: EvaluateOptions,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(mapping)) {
    try {
      out[name] = toText(evaluateValue(value, contexts, options));
    } catch (err) {
      throw new Error(`${what} '${name}': ${errorMessage(err)}`);
    }
  }
  return out;
}

function stateOf(scope: JobScope, step: Step): Record<string, string> {
  let state = scope.stepState.get(step);
  if (state === undefined) {
    state = {};
    scope.stepState.set(step, state);
  }
  return state;
}

/**
 * Runs one phase (pre, main or post) of a step: fresh file-command files, the process environment,
 * the step's output through the command processor; afterwards the files are applied (outputs
 * returned, env and path for later steps, state for the step's later phases). Never throws.
 */
export async function runPhase(
  scope: JobScope,
  frame: StepFrame,
  step: Step,
  phase: PhaseOptions,
): Promise<PhaseResult> {
  const { log } = scope;
  const state = stateOf(scope, step);
  const set: Record<string, string> = {};
  let files: StepFiles | undefined;
  let output: StepOutput | undefined;
  let outcome: StepOutcome = "failure";
  try {
    const contexts = frame.contexts(phase.stepEnv);
    const options = frame.evaluateOptions();
    const inputs = evaluateMapping("with", step.with, contexts, options);
    files = await createStepFiles(scope.environment, step.index);
    const env = processEnv(scope, frame, phase.stepEnv, files, step, state);
    output = new StepOutput(log, {
      debug: scope.debug,
      allowUnsecureCommands: env.ACTIONS_ALLOW_UNSECURE_COMMANDS === "true",
    });
    outcome = await phase.run({
      step,
      environment: scope.environment,
      log,
      contexts,
      evaluate: options,
      env,
      inputs,
      workingDirectory: workingDirectory(scope, frame, step, contexts, options),
      defaultShell: frame.nested ? undefined : defaultShell(scope, contexts, options),
      hasBash: scope.hasBash,
      signal: phase.signal,
      output,
      setOutput: (name, value) => {
        set[name] = value;
      },
      addPost: (post) => {
        scope.posts.push({ post, step, frame, stepEnv: phase.stepEnv, stepName: phase.name });
      },
      services: {
        ...scope.services,
        runComposite: (request) => runComposite(scope, frame, phase, request),
      },
    });
  } catch (err) {
    output?.flush();
    log.error(`step '${phase.name}': ${errorMessage(err)}`);
    outcome = "failure";
  }
  output?.flush();
  if (files === undefined) return { outcome, outputs: {} };
  const read = await readStepFiles(files);
  for (const e of read.errors) log.warning(e);
  const outputs: Record<string, string> = { ...output?.outputs, ...set };
  for (const [k, v] of read.outputs) outputs[k] = v;
  Object.assign(scope.state.addedEnv, output?.env);
  for (const [k, v] of read.env) scope.state.addedEnv[k] = v;
  // Later lines of later steps come first in PATH.
  for (const dir of [...(output?.path ?? []), ...read.path]) scope.state.pathAdditions.unshift(dir);
  Object.assign(state, output?.state);
  for (const [k, v] of read.state) state[k] = v;
  return { outcome, outputs };
}

async function runComposite(
  scope: JobScope,
  frame: StepFrame,
  phase: PhaseOptions,
  request: CompositeRequest,
): Promise<CompositeResult> {
  const { action } = request;
  const child = new CompositeFrame({
    job: scope.state,
    outerEnv: { ...frame.outerEnv, ...phase.stepEnv },
    actionEnv: actionEnvironment(action),
    inputs: request.inputs,
    github: {
      ...scope.state.base.github,
      action_path: action.visibleDir,
      action_repository: action.repository,
      action_ref: action.ref,
    },
  });
  // Fresh step objects per use: a step's state must not carry over to the next use of the action.
  for (const step of request.steps) await scope.executeNested(child, { ...step }, phase.signal);
  return { failed: child.failed, contexts: child.contexts(), evaluate: child.evaluateOptions() };
}

function processEnv(
  scope: JobScope,
  frame: StepFrame,
  stepEnv: Record<string, string>,
  files: StepFiles,
  step: Step,
  state: Record<string, string>,
): Record<string, string> {
  const { environment } = scope;
  const user = frame.env(stepEnv);
  const env: Record<string, string> = {
    ...environment.baseEnv,
    ...scope.runnerEnv,
    ...user,
    ...githubEnvironment(scope.state.base, environment, files.visible, { action: step.id ?? `__run_${step.index}` }),
    ...frame.actionEnv,
  };
  for (const [k, v] of Object.entries(state)) env[`STATE_${k}`] = v;
  const basePath = user.PATH ?? scope.runnerEnv.PATH ?? environment.baseEnv.PATH ?? DEFAULT_PATH;
  env.PATH = [...scope.state.pathAdditions, basePath].filter((p) => p !== "").join(":");
  return env;
}

function workingDirectory(
  scope: JobScope,
  frame: StepFrame,
  step: Step,
  contexts: ExpressionContexts,
  options: EvaluateOptions,
) {
  // `defaults.run` does not reach into composite actions.
  const defaults = frame.nested
    ? undefined
    : (scope.job.defaults.workingDirectory ?? scope.workflow.defaults.workingDirectory);
  const raw = step.workingDirectory ?? defaults;
  const dir = raw === undefined ? "" : interpolate(raw, contexts, options).trim();
  if (dir === "") return scope.environment.workspace;
  return posix.isAbsolute(dir) ? dir : posix.join(scope.environment.workspace, dir);
}

function defaultShell(scope: JobScope, contexts: ExpressionContexts, options: EvaluateOptions) {
  const raw = scope.job.defaults.shell ?? scope.workflow.defaults.shell;
  return raw === undefined ? undefined : interpolate(raw, contexts, options);
}
