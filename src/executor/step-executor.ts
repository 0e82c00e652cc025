import { errorMessage, type JobResult } from "../lib/index.js";
import {
  type EvaluateOptions,
  type ExpressionContexts,
  evaluateCondition,
  evaluateValue,
  interpolate,
  isTruthy,
  type Step,
  toText,
} from "../workflow/index.js";
import type { StepFrame } from "./job-state.js";
import { evaluateMapping, type JobScope, runPhase, type ScheduledPost } from "./step-phase.js";
import { createStepRunner } from "./steps/create-step-runner.js";

export type { JobScope } from "./step-phase.js";

export interface StepReport {
  name: string;
  result: JobResult;
  outcome: JobResult;
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
 * A controller for one step or phase: it follows `parent` (a composite's own signal) or the job's
 * stop signal; once the job is already stopping, it gets the cancel timeout instead.
 */
function stepController(scope: JobScope, parent: AbortSignal | undefined) {
  const controller = new AbortController();
  const timers: NodeJS.Timeout[] = [];
  const afterStop = scope.state.stopping !== undefined && parent === undefined;
  const follow = parent ?? scope.jobSignal;
  const onStop = () => controller.abort();
  if (afterStop) {
    timers.push(setTimeout(() => controller.abort(), scope.cancelTimeoutMs));
  } else {
    follow.addEventListener("abort", onStop, { once: true });
    if (follow.aborted) controller.abort();
  }
  return {
    controller,
    afterStop,
    timers,
    dispose() {
      for (const t of timers) clearTimeout(t);
      follow.removeEventListener("abort", onStop);
    },
  };
}

/**
 * Runs one step through its whole life: condition, environment, file commands, timeouts,
 * the kind-specific main phase, continue-on-error, and the `steps` context of its frame. Steps of a
 * composite (`frame.nested`) follow `parent` and are not reported to the forge as steps.
 */
export async function executeStep(
  scope: JobScope,
  frame: StepFrame,
  step: Step,
  parent?: AbortSignal,
): Promise<StepReport> {
  const { log } = scope;
  const state = frame.job;
  const runner = createStepRunner(step);
  const options = frame.evaluateOptions();
  let name = stepDisplayName(step, runner.defaultName(step), frame.contexts(), options);
  const report = !frame.nested;

  const finish = (outcome: JobResult, outputs: Record<string, string> = {}): StepReport => {
    const conclusion = outcome === "failure" && continueOnError(scope, frame, step) ? "success" : outcome;
    if (conclusion === "failure") frame.failed = true;
    if (step.id !== undefined) frame.steps[step.id] = { outputs, outcome, conclusion };
    if (report) log.stepFinished(step.index, conclusion, outcome);
    return { name, result: conclusion, outcome };
  };

  let shouldRun: boolean;
  try {
    shouldRun = evaluateCondition(step.if, frame.contexts(), options);
  } catch (err) {
    if (report) log.stepStarted(step.index, name);
    log.error(`step '${name}': if: ${errorMessage(err)}`);
    return finish("failure");
  }
  if (!shouldRun) return finish(state.stopping ? "cancelled" : "skipped");

  // The step's env comes first so its display name may use it; an error fails the started step.
  let stepEnv: Record<string, string> = {};
  let envError: unknown;
  try {
    stepEnv = evaluateMapping("env", step.env, frame.contexts(), options);
    name = stepDisplayName(step, name, frame.contexts(stepEnv), options);
  } catch (err) {
    envError = err;
  }
  if (report) log.stepStarted(step.index, name);
  const control = stepController(scope, parent);
  let stepTimeout: number | undefined;
  let outcome: JobResult = "failure";
  let outputs: Record<string, string> = {};
  try {
    if (envError !== undefined) throw envError;
    const timeout = timeoutMs(step.timeoutMinutes, frame.contexts(stepEnv), options);
    if (timeout) {
      control.timers.push(
        setTimeout(() => {
          stepTimeout = timeout.minutes;
          control.controller.abort();
        }, timeout.ms),
      );
    }
    const phase = await runPhase(scope, frame, step, {
      stepEnv,
      name,
      signal: control.controller.signal,
      run: (ctx) => runner.main(ctx),
    });
    outcome = phase.outcome;
    outputs = phase.outputs;
  } catch (err) {
    log.error(`step '${name}': ${errorMessage(err)}`);
    outcome = "failure";
  } finally {
    control.dispose();
  }

  if (stepTimeout !== undefined) {
    log.error(`The step timed out after ${stepTimeout} minutes.`);
    outcome = "failure";
  } else if (control.controller.signal.aborted && (parent === undefined || state.stopping !== undefined)) {
    // The job was stopped under this step: a cancel cancels it, a job timeout fails it.
    outcome = state.stopping === "timeout" && !control.afterStop ? "failure" : "cancelled";
  }
  return finish(outcome, outputs);
}

function continueOnError(scope: JobScope, frame: StepFrame, step: Step): boolean {
  const value = step.continueOnError;
  if (value === undefined || typeof value === "boolean") return value === true;
  try {
    return isTruthy(evaluateValue(value, frame.contexts(), frame.evaluateOptions()));
  } catch (err) {
    scope.log.error(`continue-on-error: ${errorMessage(err)}`);
    return false;
  }
}

/**
 * Runs the post phases at the end of the job, latest first, each gated by its `post-if`
 * (default `always()`). A failing post phase fails the job. Logged as job lines, not steps.
 */
export async function executePosts(scope: JobScope): Promise<void> {
  const posts = scope.posts.splice(0).reverse();
  for (const entry of posts) await executePost(scope, entry);
}

async function executePost(scope: JobScope, entry: ScheduledPost): Promise<void> {
  const { log, state } = scope;
  const name = `Post ${entry.post.name || entry.stepName}`;
  let run: boolean;
  try {
    run = evaluateCondition(entry.post.condition ?? "always()", state.contexts(), state.evaluateOptions());
  } catch (err) {
    log.error(`${name}: post-if: ${errorMessage(err)}`);
    state.failed = true;
    return;
  }
  if (!run) return;
  log.line(name);
  const control = stepController(scope, undefined);
  try {
    const phase = await runPhase(scope, entry.frame, entry.step, {
      stepEnv: entry.stepEnv,
      name,
      signal: control.controller.signal,
      run: (ctx) => entry.post.run(ctx),
    });
    if (phase.outcome === "failure") state.failed = true;
  } finally {
    control.dispose();
  }
}
