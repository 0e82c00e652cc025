import { randomUUID } from "node:crypto";
import { cp, mkdir, writeFile } from "node:fs/promises";
import { join, posix } from "node:path";
import { errorMessage, type JobResult, PoolError, SecretMasker } from "../lib/index.js";
import {
  evaluateCondition,
  evaluateValue,
  interpolate,
  isTruthy,
  type Job,
  toText,
  type Workflow,
} from "../workflow/index.js";
import { ActionCache } from "./actions/action-cache.js";
import { ActionResolver } from "./actions/action-resolver.js";
import type { JobEnvironment } from "./backend.js";
import { buildStaticContexts, contextText, type StaticContexts } from "./contexts.js";
import { hashFiles } from "./hash-files.js";
import { jobContainers } from "./job-containers.js";
import { JobLog } from "./job-log.js";
import { loadJob } from "./job-payload.js";
import type { JobOutcome, RunJobOptions } from "./job-request.js";
import { JobState } from "./job-state.js";
import { executePres } from "./pre-steps.js";
import { secretFileValues } from "./secret-files.js";
import { executePosts, executeStep, type JobScope, type StepReport, timeoutMs } from "./step-executor.js";
import { createStepRunner } from "./steps/create-step-runner.js";

/** GitHub's defaults: a job may run six hours, and steps that run after a cancel get five minutes. */
const DEFAULT_JOB_TIMEOUT_MINUTES = 360;
const DEFAULT_CANCEL_TIMEOUT_MINUTES = 5;
const DISPOSE_TIMEOUT_MS = 120_000;
/** setTimeout fires at once for delays above this. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Diagnostics name the workflow file the forge says the job came from. */
function payloadFile(context: Record<string, unknown>): string {
  const file = contextText(context.workflow);
  return file === "" ? "workflow payload" : file;
}

const caches = new Map<string, ActionCache>();

/** One cache object per directory, so jobs of one process share its fetch locks. */
function actionCache(dir: string | undefined): ActionCache {
  const key = dir ?? "";
  let cache = caches.get(key);
  if (cache === undefined) {
    cache = dir === undefined ? new ActionCache() : new ActionCache(dir);
    caches.set(key, cache);
  }
  return cache;
}

/** Every secret and credential the job holds is masked: secrets, the task and runtime tokens, secrets_dir files. */
async function createMasker(options: RunJobOptions): Promise<SecretMasker> {
  const masker = new SecretMasker();
  for (const value of await secretFileValues(options.secretsDir)) masker.add(value);
  for (const value of Object.values(options.request.secrets ?? {})) masker.add(value);
  for (const key of ["token", "gitea_runtime_token"]) masker.add(contextText(options.request.context?.[key]));
  return masker;
}

/**
 * Runs one job to its end and reports it through `options.sink`. Never throws: a bad payload, a
 * backend that cannot start, an expression error, anything unexpected all become a failed job with a
 * log line saying why. The job's environment is always disposed.
 */
export async function runJob(options: RunJobOptions): Promise<JobOutcome> {
  let log: JobLog | undefined;
  try {
    log = new JobLog(options.sink, await createMasker(options));
    return await execute(options, log);
  } catch (err) {
    log?.error(`the job failed unexpectedly: ${errorMessage(err)}`);
    return { result: options.signal.aborted ? "cancelled" : "failure", outputs: {}, steps: [] };
  }
}

async function execute(options: RunJobOptions, log: JobLog): Promise<JobOutcome> {
  const loaded = loadJob(options.request.payload, payloadFile(options.request.context));
  if (!loaded.ok) {
    for (const problem of loaded.problems) log.error(problem);
    return { result: "failure", outputs: {}, steps: [] };
  }
  const { workflow, job } = loaded;
  const { request } = options;
  const debug = request.secrets.ACTIONS_STEP_DEBUG === "true" || request.vars.ACTIONS_STEP_DEBUG === "true";
  const runnerName = options.runnerName ?? "runnerpool";
  const early = buildStaticContexts({ request, workflow, job, runnerName, debug });

  const reports: StepReport[] = [];
  const settleRest = (result: JobResult) => {
    for (const step of job.steps.slice(reports.length)) {
      log.stepFinished(step.index, result, result);
      reports.push({ name: step.name ?? createStepRunner(step).defaultName(step), result, outcome: result });
    }
  };
  const outcome = (result: JobResult, outputs: Record<string, string> = {}): JobOutcome => ({
    result,
    outputs,
    steps: reports,
  });

  if (options.signal.aborted) {
    settleRest("cancelled");
    return outcome("cancelled");
  }
  let shouldRun: boolean;
  try {
    shouldRun = jobCondition(job, early, request.needs, options.signal);
  } catch (err) {
    log.error(`job '${job.id}': if: ${errorMessage(err)}`);
    settleRest("skipped");
    return outcome("failure");
  }
  if (!shouldRun) {
    settleRest("skipped");
    return outcome("skipped");
  }

  let containers: ReturnType<typeof jobContainers>;
  try {
    containers = jobContainers(workflow.file, job, options.backend, { ...early, env: {} }, {});
  } catch (err) {
    log.error(err instanceof PoolError ? err.located : errorMessage(err));
    settleRest("skipped");
    return outcome("failure");
  }

  let environment: JobEnvironment;
  try {
    environment = await options.backend.prepare({
      jobKey: options.jobKey ?? `job-${randomUUID()}`,
      signal: options.signal,
      ...(options.git?.mirror ? { readOnlyPaths: [options.git.mirror.dir] } : {}),
      log: (line: string) => log.line(line),
      ...containers,
    });
  } catch (err) {
    log.error(`cannot prepare the ${options.backend.name} backend for this job: ${errorMessage(err)}`);
    settleRest(options.signal.aborted ? "cancelled" : "skipped");
    return outcome(options.signal.aborted ? "cancelled" : "failure");
  }

  try {
    if (options.seedWorkspace !== undefined) {
      await cp(options.seedWorkspace, environment.hostWorkspace, { recursive: true, force: true });
    }
    const scope = await createScope(options, log, workflow, job, environment, runnerName, debug);
    let jobResult = await runSteps(scope, options, reports);
    if (jobResult === "failure" && jobContinueOnError(job, scope)) {
      log.warning(`job '${job.id}' failed, but continue-on-error lets the run go on`);
      jobResult = "success";
    }
    settleRest(options.signal.aborted ? "cancelled" : "skipped");
    const outputs = jobOutputs(scope);
    log.outputs(outputs);
    return outcome(jobResult, outputs);
  } catch (err) {
    log.error(errorMessage(err));
    settleRest(options.signal.aborted ? "cancelled" : "skipped");
    return outcome(options.signal.aborted ? "cancelled" : "failure");
  } finally {
    await dispose(environment, log);
  }
}

/** Job `continue-on-error` (Gitea pre-evaluates it; an expression is evaluated here otherwise). */
function jobContinueOnError(job: Job, scope: JobScope): boolean {
  const value = job.continueOnError;
  if (value === undefined || typeof value === "boolean") return value === true;
  try {
    return isTruthy(evaluateValue(value, scope.state.contexts(), scope.state.evaluateOptions()));
  } catch (err) {
    scope.log.error(`job '${job.id}': continue-on-error: ${errorMessage(err)}`);
    return false;
  }
}

/** Job-level `if`: status functions look at the needed jobs (the server sends only direct needs). */
function jobCondition(
  job: Job,
  contexts: StaticContexts,
  needs: RunJobOptions["request"]["needs"],
  signal: AbortSignal,
): boolean {
  if (job.if === undefined) return true;
  const results = Object.values(needs).map((n) => n.result);
  return evaluateCondition(job.if, contexts, {
    status: {
      success: () => !signal.aborted && results.every((r) => r === "success" || r === "skipped"),
      failure: () => results.some((r) => r === "failure"),
      cancelled: () => signal.aborted || results.some((r) => r === "cancelled"),
    },
  });
}

async function createScope(
  options: RunJobOptions,
  log: JobLog,
  workflow: Workflow,
  job: Job,
  environment: JobEnvironment,
  runnerName: string,
  debug: boolean,
): Promise<JobScope> {
  const { request } = options;
  const eventDir = join(environment.hostTemp, "_github_workflow");
  await mkdir(eventDir, { recursive: true });
  await writeFile(join(eventDir, "event.json"), JSON.stringify(request.context.event ?? {}, null, 2), { mode: 0o644 });
  const base = buildStaticContexts({
    request,
    workflow,
    job,
    runnerName,
    debug,
    paths: {
      workspace: environment.workspace,
      temp: environment.temp,
      toolCache: environment.toolCache,
      eventPath: posix.join(environment.temp, "_github_workflow", "event.json"),
    },
  });
  const state = new JobState(base);
  state.hashFiles = (patterns) => hashFiles(environment.hostWorkspace, environment.workspace, patterns);
  const options0 = state.evaluateOptions();
  state.workflowEnv = evaluateEnvMapping("workflow env", workflow.env, state, options0);
  state.jobEnv = evaluateEnvMapping(`job '${job.id}' env`, job.env, state, options0);

  let bash: Promise<boolean> | undefined;
  const runnerEnv = { ...options.env };
  const scope: JobScope = {
    workflow,
    job,
    environment,
    state,
    log,
    runnerEnv,
    debug,
    hasBash: () => {
      bash ??= environment
        .exec(["sh", "-c", "command -v bash"], {
          cwd: environment.workspace,
          env: { ...environment.baseEnv, ...runnerEnv },
          signal: AbortSignal.timeout(30_000),
          onStdout: () => {},
          onStderr: () => {},
        })
        .then(
          (code) => code === 0,
          () => false,
        );
      return bash;
    },
    // Replaced in runSteps once the job's stop signal exists.
    jobSignal: options.signal,
    cancelTimeoutMs: DEFAULT_CANCEL_TIMEOUT_MINUTES * 60_000,
    posts: [],
    services: {
      nodePath: environment.nodePath ?? process.execPath,
      backendName: options.backend.name,
      containers: options.backend.containers === true,
      ...(options.git ? { git: options.git } : {}),
      actions: new ActionResolver({
        environment,
        cache: actionCache(options.actions?.cacheDir),
        source: options.actions ?? {},
        contextDefaultUrl: contextText(request.context.gitea_default_actions_url),
        server: { url: contextText(request.context.server_url), token: contextText(request.context.token) },
        warn: (m) => log.warning(m),
      }),
    },
    executeNested: (frame, step, signal) => executeStep(scope, frame, step, signal),
    stepState: new WeakMap(),
  };
  return scope;
}

function evaluateEnvMapping(
  what: string,
  env: Record<string, unknown>,
  state: JobState,
  options: ReturnType<JobState["evaluateOptions"]>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    try {
      // Each level sees the levels above it (workflow env inside job env).
      out[name] = toText(evaluateValue(value, state.contexts(), options));
    } catch (err) {
      throw new Error(`${what} '${name}': ${errorMessage(err)}`);
    }
  }
  return out;
}

/** Runs the steps in order under the job's timeout and cancellation; returns the job result. */
async function runSteps(scope: JobScope, options: RunJobOptions, reports: StepReport[]): Promise<JobResult> {
  const { state, log, job } = scope;
  const contexts = state.contexts();
  const evaluate = state.evaluateOptions();
  const timeout = timeoutMs(job.timeoutMinutes ?? DEFAULT_JOB_TIMEOUT_MINUTES, contexts, evaluate);
  const cancelTimeout = timeoutMs(
    (job.raw["cancel-timeout-minutes"] as number | string | undefined) ?? DEFAULT_CANCEL_TIMEOUT_MINUTES,
    contexts,
    evaluate,
  );
  const stop = new AbortController();
  const onCancel = () => {
    state.stopping ??= "cancelled";
    stop.abort();
  };
  options.signal.addEventListener("abort", onCancel, { once: true });
  // A cancel that arrived while the backend was preparing has no event left to fire.
  if (options.signal.aborted) onCancel();
  const timer = setTimeout(
    () => {
      if (state.stopping === undefined) {
        state.stopping = "timeout";
        log.error(`The job timed out after ${timeout?.minutes} minutes.`);
      }
      stop.abort();
    },
    Math.min(timeout?.ms ?? MAX_TIMER_MS, MAX_TIMER_MS),
  );
  const stepScope: JobScope = {
    ...scope,
    jobSignal: stop.signal,
    cancelTimeoutMs: Math.min(cancelTimeout?.ms ?? scope.cancelTimeoutMs, options.cancelTimeoutMs ?? MAX_TIMER_MS),
  };
  try {
    await executePres(stepScope);
    for (const step of job.steps) reports.push(await executeStep(stepScope, state, step));
    await executePosts(stepScope);
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener("abort", onCancel);
  }
  if (options.signal.aborted) return "cancelled";
  if (state.stopping === "timeout" || state.failed) return "failure";
  return "success";
}

/** Job `outputs:`, evaluated after the steps; a value holding a secret is left out, as GitHub does. */
function jobOutputs(scope: JobScope): Record<string, string> {
  const { state, log, job } = scope;
  const out: Record<string, string> = {};
  for (const [name, template] of Object.entries(job.outputs)) {
    let value: string;
    try {
      value = interpolate(template, state.contexts(), state.evaluateOptions());
    } catch (err) {
      log.warning(`job output '${name}': ${errorMessage(err)}`);
      continue;
    }
    if (log.masker.mask(value) !== value) {
      log.warning(`job output '${name}' is left out because it may contain a secret`);
      continue;
    }
    out[name] = value;
  }
  return out;
}

async function dispose(environment: JobEnvironment, log: JobLog): Promise<void> {
  try {
    const report = await environment.dispose(AbortSignal.timeout(DISPOSE_TIMEOUT_MS));
    if (report.leftovers.length > 0) {
      log.warning(`cleanup could not remove ${report.leftovers.length} path(s), e.g. '${report.leftovers[0]}'`);
      if (report.quarantined) log.warning(`the job directory was moved to '${report.quarantined}'`);
      if (report.error) log.warning(`moving the job directory aside failed too: ${report.error}`);
    }
  } catch (err) {
    log.warning(`cleanup failed: ${errorMessage(err)}`);
  }
}
