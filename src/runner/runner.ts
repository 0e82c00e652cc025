import { EventEmitter } from "node:events";
import { errorMessage, isPoolError, type JobResult, type Logger, PoolError, silentLogger } from "../lib/index.js";
import { createForgeClient } from "../protocol/index.js";
import { labelNames } from "../workflow/index.js";
import type { ExecuteJob } from "./execute-job.js";
import type { RunnerForge } from "./forge.js";
import type { TaskPolicy } from "./policy.js";
import { type DiskFloor, Poller, type PollerStatus } from "./poller.js";
import type { Registration } from "./registration.js";
import { sleep } from "./retry.js";
import type { RunnerSettings } from "./runner-settings.js";
import { type ReportTimings, runTask } from "./task-runner.js";

export interface StartRunnerOptions {
  registration: Registration;
  /** Default: a Connect client for the registration's address, uuid and token. */
  forge?: RunnerForge;
  /** Full label strings; default: the registration's. Only the names are declared to the forge. */
  labels?: string[];
  capacity: number;
  /** Runs each job; bound to a backend, checkout policy and env by whoever assembles the runner. */
  execute: ExecuteJob;
  settings: RunnerSettings;
  /** Per-job limit (runner.timeout), default 3 h. */
  timeoutMs?: number;
  /** Bound of `if: always()` steps after a cancel, passed to the executor (its default: 5 min). */
  cancelTimeoutMs?: number;
  /** How long a cancelled job may take to stop before it is abandoned (default cancelTimeoutMs + 1 min). */
  cancelGraceMs?: number;
  report?: ReportTimings;
  /** Take one task, then stop (default: the registration's ephemeral flag). */
  once?: boolean;
  logger?: Logger;
  /** The role's ref policy, checked for every task before it runs. */
  policy?: TaskPolicy;
  /** Disk-space floor (config `runner.min_free`): below it the runner takes no jobs until space returns. */
  diskFloor?: DiskFloor;
  /** Aborting stops the runner and cancels its jobs, like stop(). */
  signal: AbortSignal;
}

export interface RunnerStatus extends PollerStatus {
  name: string;
}

export interface TaskStartedEvent {
  id: bigint;
}

export interface TaskFinishedEvent {
  id: bigint;
  result: JobResult;
  abandoned: boolean;
}

export interface RunnerEvents {
  "task-started": [TaskStartedEvent];
  "task-finished": [TaskFinishedEvent];
}

export interface RunnerHandle {
  readonly name: string;
  status(): RunnerStatus;
  /** Stop taking tasks; resolves when the running ones have finished and reported. */
  drain(): Promise<void>;
  /** Stop taking tasks and cancel the running ones; resolves when they have reported. */
  stop(): Promise<void>;
  /** Resolves when the runner has stopped; rejects when the forge refused it (register again). */
  readonly done: Promise<void>;
  on<E extends keyof RunnerEvents>(event: E, listener: (...args: RunnerEvents[E]) => void): void;
  off<E extends keyof RunnerEvents>(event: E, listener: (...args: RunnerEvents[E]) => void): void;
}

/** Tells Gitea main that we stop a cancelled job ourselves and then report its final result. */
const CAPABILITIES = ["cancelling"];

/**
 * Starts one registered runner: Declare (labels, version), then the poller. Rejects only when the forge
 * says the runner does not exist; an unreachable forge is retried in the background.
 */
export async function startRunner(options: StartRunnerOptions): Promise<RunnerHandle> {
  const reg = options.registration;
  const logger = options.logger ?? silentLogger;
  const settings = options.settings;
  const forge =
    options.forge ??
    createForgeClient({ url: reg.address, uuid: reg.uuid, token: reg.token, version: settings.version });
  const labels = labelNames(options.labels ?? reg.labels);
  const events = new EventEmitter<RunnerEvents>();
  const once = options.once ?? reg.ephemeral;

  const poller = new Poller({
    forge,
    capacity: options.capacity,
    fetchWaitMs: settings.fetchWaitMs,
    fetchIntervalMs: settings.fetchIntervalMs,
    fetchIntervalMaxMs: settings.fetchIntervalMaxMs,
    maxTasks: once ? 1 : undefined,
    runnerName: reg.name,
    logger,
    ...(options.diskFloor ? { diskFloor: options.diskFloor } : {}),
    runTask: async (task, signal) => {
      emit(events, logger, "task-started", { id: task.id });
      const summary = await runTask({
        task,
        forge,
        execute: options.execute,
        runnerName: reg.name,
        signal,
        logger,
        timeoutMs: options.timeoutMs,
        cancelTimeoutMs: options.cancelTimeoutMs,
        cancelGraceMs: options.cancelGraceMs,
        report:
          settings.logIntervalMs === undefined
            ? options.report
            : { logIntervalMs: settings.logIntervalMs, ...options.report },
        policy: options.policy,
      });
      emit(events, logger, "task-finished", summary);
    },
  });

  const onAbort = (): void => poller.kill();
  options.signal.addEventListener("abort", onAbort, { once: true });
  poller.done.then(
    () => options.signal.removeEventListener("abort", onAbort),
    () => options.signal.removeEventListener("abort", onAbort),
  );
  if (options.signal.aborted) poller.kill();

  const declared = await declare(forge, labels, settings.version, logger, options.signal);
  if (declared === "refused") {
    const err = new PoolError(
      "FORGE_UNAUTHENTICATED",
      `runner "${reg.name}" is not known to the forge "${reg.address}": register it again`,
    );
    poller.fail(err);
    throw err;
  }
  if (declared === "ok") poller.start();
  else void declareInBackground(forge, labels, options, poller, logger);

  return {
    name: reg.name,
    status: () => ({ name: reg.name, ...poller.status() }),
    drain: () => poller.drain(),
    stop: async () => {
      poller.kill();
      await poller.done.catch(() => {});
    },
    done: poller.done,
    on: (event, listener) => {
      events.on(event, listener as never);
    },
    off: (event, listener) => {
      events.off(event, listener as never);
    },
  };
}

type DeclareOutcome = "ok" | "refused" | "retry";

async function declare(
  forge: RunnerForge,
  labels: string[],
  version: string,
  logger: Logger,
  signal: AbortSignal,
): Promise<DeclareOutcome> {
  try {
    await forge.declare({ version, labels, capabilities: CAPABILITIES }, signal);
    return "ok";
  } catch (err) {
    if (isPoolError(err, "FORGE_UNIMPLEMENTED")) {
      logger.warn("the forge cannot declare runners (Gitea older than 1.21): labels stay as registered");
      return "ok";
    }
    if (isPoolError(err, "FORGE_UNAUTHENTICATED")) return "refused";
    logger.warn({ err: errorMessage(err) }, "declaring the runner failed; retrying");
    return "retry";
  }
}

async function declareInBackground(
  forge: RunnerForge,
  labels: string[],
  options: StartRunnerOptions,
  poller: Poller,
  logger: Logger,
): Promise<void> {
  const settings = options.settings;
  let pause = settings.fetchIntervalMs ?? 2000;
  const max = Math.max(pause, settings.fetchIntervalMaxMs ?? 5000) * 6;
  while (poller.status().state === "starting") {
    if (!(await sleep(pause, options.signal))) return;
    if (poller.status().state !== "starting") return;
    const outcome = await declare(forge, labels, settings.version, silentLogger, options.signal);
    if (outcome === "ok") {
      logger.info("runner declared");
      poller.start();
      return;
    }
    if (outcome === "refused") {
      poller.fail(
        new PoolError(
          "FORGE_UNAUTHENTICATED",
          `runner "${options.registration.name}" is not known to the forge "${options.registration.address}": register it again`,
        ),
      );
      return;
    }
    pause = Math.min(pause * 2, max);
  }
}

function emit<E extends keyof RunnerEvents>(
  events: EventEmitter<RunnerEvents>,
  logger: Logger,
  event: E,
  ...args: RunnerEvents[E]
): void {
  try {
    (events as EventEmitter).emit(event, ...args);
  } catch (err) {
    // A listener (e.g. the CLI's progress display) must not take the task down.
    logger.error({ err, event }, "runner event listener threw");
  }
}
