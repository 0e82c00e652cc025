import { posix } from "node:path";
import {
  type EvaluateOptions,
  type ExpressionContexts,
  evaluateCondition,
  evaluateValue,
  interpolate,
  isTruthy,
  type Job,
  type Step,
  toText,
  type Workflow,
} from "../workflow/index.js";
import type { JobEnvironment } from "./backend.js";
import { DEFAULT_PATH } from "./backends/host.js";
import { githubEnvironment } from "./github-env.js";
import type { JobLog } from "./job-log.js";
import type { JobState } from "./job-state.js";
import type { Result } from "./sink.js";
import { createStepFiles, readStepFiles, type StepFiles } from "./step-files.js";
import { StepOutput } from "./step-output.js";
import { createStepRunner } from "./steps/create-step-runner.js";
import type { StepOutcome } from "./steps/step-runner.js";

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
}

export interface StepReport {
  name: string;
  result: Result;
  outcome: Result;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A step's `env:` evaluated to strings (an expression error names the variable). */
function evaluateEnv(env: Record<string, unknown>, contexts: ExpressionContexts, options: EvaluateOptions) {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    try {
      out[name] = toText(evaluateValue(value, contexts, options));
    } catch (err) {
      throw new Error(`env '${name}': ${message(err)}`);
    }
  }
  return out;
}

/** `timeout-minutes` as milliseconds, or undefined when unset. */
export function timeoutMs(
  value: number | string | undefined,
  contexts: ExpressionContexts,
  options: EvaluateOptions,
): { ms: number; minutes: number } | undefined {
  if (value === undefined) return undefined;
  const minutes = typeof value === "number" ? value : Number(toText(evaluateValue(value, contexts, options)));
  if (!Number.isFinite(minutes) || minutes <= 0) {
    throw new Error(`timeout-minutes '${value}' is not a positive number of minutes`);
  }
  return { ms: Math.min(Math.round(minutes * 60_000), 2 ** 31 - 1), minutes };
}

function stepDisplayName(step: Step, fallback: string, contexts: ExpressionContexts, options: EvaluateOptions) {
  if (step.name === undefined || step.name.trim() === "") return fallback;
  try {
    return interpolate(step.name, contexts, options);
  } catch {
    return step.name;
  }
}

/**
 * Runs one step through its whole life: condition, environment, file commands, timeouts,
 * the kind-specific main phase, continue-on-error, and the `steps` context.
 */
export async function executeStep(scope: JobScope, step: Step): Promise<StepReport> {
  const { state, log } = scope;
  const runner = createStepRunner(step);
  const options = state.evaluateOptions();
  let name = stepDisplayName(step, runner.defaultName(step), state.contexts(), options);

  const finish = (outcome: Result, outputs: Record<string, string> = {}): StepReport => {
    const conclusion = outcome === "failure" && continueOnError(scope, step) ? "success" : outcome;
    if (conclusion === "failure") state.failed = true;
    if (step.id !== undefined) state.steps[step.id] = { outputs, outcome, conclusion };
    log.stepFinished(step.index, conclusion, outcome);
    return { name, result: conclusion, outcome };
  };

  let shouldRun: boolean;
  try {
    shouldRun = evaluateCondition(step.if, state.contexts(), options);
  } catch (err) {
    log.stepStarted(step.index, name);
    log.error(`step '${name}': if: ${message(err)}`);
    return finish("failure");
  }
  if (!shouldRun) return finish(state.stopping ? "cancelled" : "skipped");

  // The step's env comes first so its display name may use it; an error fails the started step.
  let stepEnv: Record<string, string> = {};
  let envError: unknown;
  try {
    stepEnv = evaluateEnv(step.env, state.contexts(), options);
    name = stepDisplayName(step, name, state.contexts(stepEnv), options);
  } catch (err) {
    envError = err;
  }
  log.stepStarted(step.index, name);
  const afterStop = state.stopping !== undefined;
  const controller = new AbortController();
  const timers: NodeJS.Timeout[] = [];
  let stepTimeout: number | undefined;
  const onJobStop = () => controller.abort();
  if (afterStop) {
    timers.push(setTimeout(() => controller.abort(), scope.cancelTimeoutMs));
  } else {
    scope.jobSignal.addEventListener("abort", onJobStop, { once: true });
    if (scope.jobSignal.aborted) controller.abort();
  }

  let outcome: StepOutcome = "failure";
  let files: StepFiles | undefined;
  let output: StepOutput | undefined;
  try {
    if (envError !== undefined) throw envError;
    const contexts = state.contexts(stepEnv);
    const timeout = timeoutMs(step.timeoutMinutes, contexts, options);
    if (timeout) {
      timers.push(
        setTimeout(() => {
          stepTimeout = timeout.minutes;
          controller.abort();
        }, timeout.ms),
      );
    }
    files = await createStepFiles(scope.environment, step.index);
    output = new StepOutput(log, scope.debug);
    outcome = await runner.main({
      step,
      environment: scope.environment,
      log,
      contexts,
      evaluate: options,
      env: processEnv(scope, stepEnv, files, step),
      workingDirectory: workingDirectory(scope, step, contexts, options),
      defaultShell: defaultShell(scope, contexts, options),
      hasBash: scope.hasBash,
      signal: controller.signal,
      output,
    });
  } catch (err) {
    output?.flush();
    log.error(`step '${name}': ${message(err)}`);
    outcome = "failure";
  } finally {
    for (const t of timers) clearTimeout(t);
    scope.jobSignal.removeEventListener("abort", onJobStop);
  }

  let result: Result = outcome;
  if (stepTimeout !== undefined) {
    log.error(`The step timed out after ${stepTimeout} minutes.`);
    result = "failure";
  } else if (controller.signal.aborted) {
    // The job was stopped under this step: a cancel cancels it, a job timeout fails it.
    result = state.stopping === "timeout" && !afterStop ? "failure" : "cancelled";
  }
  const outputs = files ? await applyFiles(scope, files, output?.outputs ?? {}) : {};
  return finish(result, outputs);
}

function continueOnError(scope: JobScope, step: Step): boolean {
  const value = step.continueOnError;
  if (value === undefined || typeof value === "boolean") return value === true;
  try {
    return isTruthy(evaluateValue(value, scope.state.contexts(), scope.state.evaluateOptions()));
  } catch (err) {
    scope.log.error(`continue-on-error: ${message(err)}`);
    return false;
  }
}

async function applyFiles(scope: JobScope, files: StepFiles, legacy: Record<string, string>) {
  const read = await readStepFiles(files);
  for (const e of read.errors) scope.log.warning(e);
  const outputs: Record<string, string> = { ...legacy };
  for (const [k, v] of read.outputs) outputs[k] = v;
  for (const [k, v] of read.env) scope.state.addedEnv[k] = v;
  // Later lines of later steps come first in PATH.
  for (const dir of read.path) scope.state.pathAdditions.unshift(dir);
  return outputs;
}

function processEnv(scope: JobScope, stepEnv: Record<string, string>, files: StepFiles, step: Step) {
  const { environment, state } = scope;
  const user = state.env(stepEnv);
  const env: Record<string, string> = {
    ...environment.baseEnv,
    ...scope.runnerEnv,
    ...user,
    ...githubEnvironment(state.base, environment, files.visible, { action: step.id ?? `__run_${step.index}` }),
  };
  const basePath = user.PATH ?? scope.runnerEnv.PATH ?? environment.baseEnv.PATH ?? DEFAULT_PATH;
  env.PATH = [...state.pathAdditions, basePath].filter((p) => p !== "").join(":");
  return env;
}

function workingDirectory(scope: JobScope, step: Step, contexts: ExpressionContexts, options: EvaluateOptions) {
  const raw = step.workingDirectory ?? scope.job.defaults.workingDirectory ?? scope.workflow.defaults.workingDirectory;
  const dir = raw === undefined ? "" : interpolate(raw, contexts, options).trim();
  if (dir === "") return scope.environment.workspace;
  return posix.isAbsolute(dir) ? dir : posix.join(scope.environment.workspace, dir);
}

function defaultShell(scope: JobScope, contexts: ExpressionContexts, options: EvaluateOptions) {
  const raw = scope.job.defaults.shell ?? scope.workflow.defaults.shell;
  return raw === undefined ? undefined : interpolate(raw, contexts, options);
}
