import type { JobOutcome } from "../executor/index.js";
import { errorMessage, type JobResult, type Logger, silentLogger } from "../lib/index.js";
import type { Task } from "../protocol/index.js";
import type { ExecuteJob } from "./execute-job.js";
import type { RunnerForge } from "./forge.js";
import { refusal, type TaskPolicy } from "./policy.js";
import { Reporter, type ReporterOptions } from "./reporter.js";
import { countSteps, decodeTask, payloadRunsOn } from "./task-request.js";

/** Reporter timings a caller may tune (tests shorten them). */
export type ReportTimings = Pick<
  ReporterOptions,
  "logIntervalMs" | "batchSize" | "stateIntervalMs" | "closeTimeoutMs" | "attemptTimeoutMs"
>;

export interface RunTaskOptions {
  task: Task;
  forge: RunnerForge;
  execute: ExecuteJob;
  runnerName: string;
  /** The runner's "kill jobs" signal: aborting cancels the job. */
  signal: AbortSignal;
  logger?: Logger;
  /** Whole-job limit (runner.timeout), default 3 h like act_runner and Gitea's endless-task reaper. */
  timeoutMs?: number;
  /** Bound of `if: always()` steps after a cancel, passed to the executor (its default: 5 min). */
  cancelTimeoutMs?: number;
  /**
   * How long a cancelled job may take to stop before it is abandoned and reported. Default:
   * cancelTimeoutMs + 1 min, so cleanup steps the executor still allows are never cut short.
   */
  cancelGraceMs?: number;
  report?: ReportTimings;
  /** The role's ref policy (privileged roles, allowed_refs); checked before the job runs. */
  policy?: TaskPolicy;
}

export interface TaskSummary {
  id: bigint;
  result: JobResult;
  /** The job ignored cancellation and was left behind. */
  abandoned: boolean;
}

type StopReason = "server" | "kill" | "timeout";

export const DEFAULT_TASK_TIMEOUT_MS = 3 * 60 * 60 * 1000;

/** The executor's own default bound for steps that run after a cancel. */
const EXECUTOR_CANCEL_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * Runs one task from start to final report. Never throws and never hangs on a job that ignores its
 * abort: whatever happens, the forge gets a final result (act_runner's runTaskWithRecover).
 */
export async function runTask(options: RunTaskOptions): Promise<TaskSummary> {
  try {
    return await superviseTask(options);
  } catch (err) {
    // Only a bug gets here. Still end the task on the forge, or it would wait for the lease.
    const logger = options.logger ?? silentLogger;
    logger.error({ err: errorMessage(err), task: String(options.task.id) }, "task runner failed");
    try {
      const reporter = new Reporter({
        taskId: options.task.id,
        forge: options.forge,
        stepCount: 0,
        logger,
        ...options.report,
      });
      await reporter.close({
        result: "failure",
        lastWords: `runnerpool: the runner failed to run the job: ${errorMessage(err)}`,
      });
    } catch (again) {
      logger.error({ err: errorMessage(again) }, "could not report the failed task");
    }
    return { id: options.task.id, result: "failure", abandoned: false };
  }
}

async function superviseTask(options: RunTaskOptions): Promise<TaskSummary> {
  const logger = (options.logger ?? silentLogger).child({ task: String(options.task.id) });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
  const graceMs = options.cancelGraceMs ?? (options.cancelTimeoutMs ?? EXECUTOR_CANCEL_TIMEOUT_MS) + 60_000;
  const abort = new AbortController();
  let reason: StopReason | undefined;
  const stop = (why: StopReason): void => {
    if (reason !== undefined) return;
    reason = why;
    logger.info({ reason: why }, "cancelling job");
    abort.abort();
  };

  const request = decodeTask(options.task);
  const reporter = new Reporter({
    taskId: options.task.id,
    forge: options.forge,
    stepCount: countSteps(request.payload),
    onServerCancel: () => stop("server"),
    logger,
    ...options.report,
  });
  reporter.start();
  reporter.log(`runnerpool: runner "${options.runnerName}" took task ${options.task.id}`);
  const refused = refusal(options.policy, request.context, payloadRunsOn(request.payload));
  if (refused !== undefined) {
    // Policy is decided before the job is handed to the executor: a refused task never executes.
    logger.warn({ reason: refused }, "task refused by the role's policy");
    await reporter
      .close({ result: "failure", stoppedAt: new Date(), lastWords: `runnerpool: ${refused}` })
      .catch((err: unknown) => logger.error({ err: errorMessage(err) }, "final report failed"));
    return { id: options.task.id, result: "failure", abandoned: false };
  }

  const onKill = (): void => stop("kill");
  options.signal.addEventListener("abort", onKill, { once: true });
  if (options.signal.aborted) stop("kill");
  const deadline = setTimeout(() => stop("timeout"), timeoutMs);

  let result: JobResult;
  let lastWords: string | undefined;
  let abandoned = false;
  try {
    const job = () =>
      options.execute({
        request,
        sink: reporter,
        signal: abort.signal,
        runnerName: options.runnerName,
        jobKey: `task-${options.task.id}`,
        ...(options.cancelTimeoutMs === undefined ? {} : { cancelTimeoutMs: options.cancelTimeoutMs }),
      });
    const end = await jobEnd(job, abort.signal, graceMs);
    if (end === "abandoned") {
      abandoned = true;
      result = "cancelled";
      lastWords = `runnerpool: the job did not stop within ${graceMs / 1000}s of being cancelled and was abandoned`;
      logger.error({ reason }, "job ignored cancellation; abandoned");
    } else if ("error" in end) {
      result = "failure";
      lastWords = `runnerpool: the job failed inside the runner: ${errorMessage(end.error)}`;
      logger.error({ err: errorMessage(end.error) }, "job threw");
    } else {
      result = end.outcome.result;
      reporter.outputs(end.outcome.outputs);
    }
  } catch (err) {
    result = "failure";
    lastWords = `runnerpool: the runner failed while running the job: ${errorMessage(err)}`;
    logger.error({ err: errorMessage(err) }, "task runner failed");
  } finally {
    clearTimeout(deadline);
    options.signal.removeEventListener("abort", onKill);
  }

  if (reason !== undefined) {
    ({ result, lastWords } = stoppedVerdict(reason, {
      lastWords,
      serverResult: reporter.serverResult,
      timeoutMs,
      abandoned,
    }));
  }

  await finalReport(reporter, result, lastWords, logger);
  return { id: options.task.id, result, abandoned };
}

/** The job's end, or "abandoned" when it is still running `graceMs` after its abort. */
async function jobEnd(
  job: () => Promise<JobOutcome>,
  abort: AbortSignal,
  graceMs: number,
): Promise<{ outcome: JobOutcome } | { error: unknown } | "abandoned"> {
  let graceTimer: NodeJS.Timeout | undefined;
  const settled = Promise.resolve()
    .then(job)
    .then(
      (outcome) => ({ outcome }) as const,
      (error: unknown) => ({ error }) as const,
    );
  const gaveUp = new Promise<"abandoned">((resolve) => {
    const arm = (): void => {
      graceTimer = setTimeout(() => resolve("abandoned"), graceMs);
    };
    if (abort.aborted) arm();
    else abort.addEventListener("abort", arm, { once: true });
  });
  try {
    return await Promise.race([settled, gaveUp]);
  } finally {
    if (graceTimer !== undefined) clearTimeout(graceTimer);
  }
}

async function finalReport(
  reporter: Reporter,
  result: JobResult,
  lastWords: string | undefined,
  logger: Logger,
): Promise<void> {
  try {
    const report = await reporter.close({ result, stoppedAt: new Date(), lastWords });
    if (!report.stateDelivered) logger.error({ result }, "the forge never received the final result of the task");
  } catch (err) {
    logger.error({ err: errorMessage(err) }, "final report failed");
  }
}

/** What a job stopped from outside ends as: the stop's reason decides over what the job said. */
function stoppedVerdict(
  reason: StopReason,
  job: { lastWords: string | undefined; serverResult: JobResult | undefined; timeoutMs: number; abandoned: boolean },
): { result: JobResult; lastWords: string | undefined } {
  switch (reason) {
    case "server":
      return {
        result: job.serverResult ?? "cancelled",
        lastWords: job.lastWords ?? "runnerpool: the forge ended the task",
      };
    case "timeout":
      return {
        result: "failure",
        lastWords: `runnerpool: the job exceeded the runner timeout of ${formatMs(job.timeoutMs)}${job.abandoned ? " and was abandoned" : ""}`,
      };
    case "kill":
      return {
        result: "cancelled",
        lastWords: job.lastWords ?? "runnerpool: the runner is shutting down; the job was cancelled",
      };
  }
}

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}
