import { randomUUID } from "node:crypto";
import { errorMessage, isPoolError, type Logger, PoolError, silentLogger } from "../lib/index.js";
import type { Task } from "../protocol/index.js";
import type { RunnerForge } from "./forge.js";
import { pollBackoff } from "./poll-backoff.js";
import { sleep } from "./retry.js";
import { type RunnerState, transition } from "./runner-state.js";

export interface PollerOptions {
  forge: RunnerForge;
  /** Concurrent tasks (slots); FetchTask is called only while one is free. */
  capacity: number;
  /** Runs one task to its final report; should not throw (runTask never does). */
  runTask: (task: Task, signal: AbortSignal) => Promise<unknown>;
  /** > 0: ask a runnerpool coordinator to hold each FetchTask open this long (long poll). Default 0. */
  fetchWaitMs?: number;
  /** Pause after an empty or failed poll, doubled per poll in a row (default 2000) … */
  fetchIntervalMs?: number;
  /** … up to this (default 5000), ±20 % jitter. */
  fetchIntervalMaxMs?: number;
  /** Stop fetching after this many tasks (ephemeral runners take one). */
  maxTasks?: number;
  /** For messages: which runner this is. */
  runnerName?: string;
  logger?: Logger;
  /** Jitter source, [0, 1). */
  random?: () => number;
  /**
   * Disk-space floor: while `freeBytes()` reports less than `minFreeBytes`, no task is fetched (the
   * runner says so in its log and status) and the check repeats every `checkIntervalMs` (default 5 s).
   */
  diskFloor?: DiskFloor;
}

export interface DiskFloor {
  minFreeBytes: number;
  /** Free bytes where jobs write (their workdir parent). */
  freeBytes: () => Promise<number>;
  checkIntervalMs?: number;
}

export interface PollerStatus {
  state: RunnerState;
  running: number;
  capacity: number;
  /** Why the runner takes no tasks although it could (e.g. the disk-space floor). */
  paused?: string;
}

/** A forge answer faster than this cannot have been a held long poll. */
const HELD_MIN_MS = 1000;

/**
 * The fetch loop of one runner: a capacity semaphore, Gitea's tasks_version rules (forge-protocol.md
 * §3.3), backoff with jitter when idle or failing, and two separate stops: stop() ends fetching,
 * kill() also aborts running jobs.
 */
export class Poller {
  readonly capacity: number;
  /** Resolves when stopped and every task has reported; rejects when the forge no longer knows the runner. */
  readonly done: Promise<void>;

  private readonly options: PollerOptions;
  private readonly logger: Logger;
  private readonly pollAbort = new AbortController();
  private readonly killAbort = new AbortController();
  private state: RunnerState = "starting";
  private running = 0;
  private tasksVersion = 0n;
  private requestKey: string | undefined;
  private fetched = 0;
  private fatal: PoolError | undefined;
  private paused: string | undefined;
  private readonly tasks = new Set<Promise<void>>();
  private slotFreed: (() => void) | undefined;
  private settle!: { resolve: () => void; reject: (err: unknown) => void };

  constructor(options: PollerOptions) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1) {
      throw new PoolError("INVALID_ARGUMENT", `runner capacity "${options.capacity}" is not a positive integer`);
    }
    this.options = options;
    this.capacity = options.capacity;
    this.logger = options.logger ?? silentLogger;
    this.done = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // A caller that only uses drain() must not see an unhandled rejection.
    this.done.catch(() => {});
  }

  status(): PollerStatus {
    return {
      state: this.state,
      running: this.running,
      capacity: this.capacity,
      ...(this.paused === undefined ? {} : { paused: this.paused }),
    };
  }

  /** The tasks_version the next FetchTask will send. */
  get version(): bigint {
    return this.tasksVersion;
  }

  start(): void {
    if (this.state !== "starting") return;
    this.move("idle");
    this.run().catch((err: unknown) => {
      // Only a bug gets here (an illegal state move); fail loudly instead of hanging callers on `done`.
      this.logger.error({ err }, "poller crashed");
      this.killAbort.abort();
      this.settle.reject(PoolError.from(err));
    });
  }

  /** The "stop polling" signal: no more FetchTask; running tasks go on. */
  stop(): void {
    if (this.pollAbort.signal.aborted) return;
    this.pollAbort.abort();
    this.slotFreed?.();
    if (this.state === "stopped" || this.state === "draining") return;
    const never = this.state === "starting";
    this.move("draining");
    // Never started: no loop and nothing running, so stop at once.
    if (never) this.finish();
  }

  /** The "kill jobs" signal: stop polling and cancel every running job (each still reports). */
  kill(): void {
    this.stop();
    this.killAbort.abort();
  }

  /** Stops polling and resolves once running tasks have finished and reported. */
  async drain(): Promise<void> {
    this.stop();
    await this.done.catch(() => {});
  }

  /** Ends the runner with an error before or while polling (e.g. the forge refused Declare). */
  fail(err: PoolError): void {
    this.fatal ??= err;
    this.kill();
  }

  private async run(): Promise<void> {
    const waitMs = Math.max(0, this.options.fetchWaitMs ?? 0);
    let idleStreak = 0;
    let errorStreak = 0;
    while (!this.pollAbort.signal.aborted) {
      if (this.running >= this.capacity) {
        await this.slotFree();
        continue;
      }
      if (!(await this.enoughDisk())) {
        await sleep(this.options.diskFloor?.checkIntervalMs ?? 5000, this.pollAbort.signal);
        continue;
      }
      const sent = this.tasksVersion;
      const askedAt = Date.now();
      // Kept until a fetch is answered: a retry after a lost answer gets the same task (Forgejo).
      this.requestKey ??= randomUUID();
      let answer: Awaited<ReturnType<RunnerForge["fetchTask"]>>;
      try {
        // A held long poll is cut on stop; a plain poll is left to finish so an assigned task is not lost.
        const signal = waitMs > 0 ? this.pollAbort.signal : this.killAbort.signal;
        answer = await this.options.forge.fetchTask(sent, signal, waitMs > 0 ? waitMs : undefined, this.requestKey);
      } catch (err) {
        if (this.pollAbort.signal.aborted) break;
        if (isPoolError(err, "FORGE_UNAUTHENTICATED")) {
          this.fatal ??= new PoolError(
            "FORGE_UNAUTHENTICATED",
            `runner "${this.options.runnerName ?? "?"}" was removed from the forge: register it again`,
            { cause: err },
          );
          this.logger.error({ err: err.message }, "forge no longer knows this runner; stopping");
          this.killAbort.abort();
          break;
        }
        errorStreak++;
        const msg = errorMessage(err);
        if (errorStreak === 1) this.logger.warn({ err: msg }, "fetching a task failed; retrying with backoff");
        else this.logger.debug({ err: msg, streak: errorStreak }, "fetching a task failed again");
        idleStreak++;
        await sleep(this.pause(idleStreak), this.pollAbort.signal);
        continue;
      }
      this.requestKey = undefined;
      if (errorStreak > 0) this.logger.info({ failures: errorStreak }, "fetching tasks works again");
      errorStreak = 0;
      if (answer.tasksVersion > sent) this.tasksVersion = answer.tasksVersion;
      if (answer.task !== undefined) {
        // There may be more work: the next poll must make the forge look instead of comparing versions.
        this.tasksVersion = 0n;
        idleStreak = 0;
        this.launch(answer.task);
        if (this.options.maxTasks !== undefined && ++this.fetched >= this.options.maxTasks) break;
        continue;
      }
      if (waitMs > 0 && Date.now() - askedAt >= Math.min(HELD_MIN_MS, waitMs / 2)) {
        // The forge held the call: it supports long polls, so ask again at once.
        idleStreak = 0;
        continue;
      }
      idleStreak++;
      await sleep(this.pause(idleStreak), this.pollAbort.signal);
    }
    if (this.state !== "draining") this.move("draining");
    if (waitMs > 0) {
      // A cut long poll only ends on the forge once it reads the closed socket. An in-process coordinator
      // needs an event-loop turn with I/O for that; without it a job queued right after drain() resolves
      // could still be handed to the dead call.
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(this.tasks);
    this.finish();
  }

  private launch(task: Task): void {
    this.running++;
    if (this.state === "idle") this.move("busy");
    const p = Promise.resolve()
      .then(() => this.options.runTask(task, this.killAbort.signal))
      .then(
        () => undefined,
        (err: unknown) => {
          this.logger.error({ err, task: String(task.id) }, "task runner threw; continuing");
        },
      )
      .finally(() => {
        this.running--;
        this.tasks.delete(p);
        if (this.running === 0 && this.state === "busy") this.move("idle");
        this.slotFreed?.();
      });
    this.tasks.add(p);
  }

  private slotFree(): Promise<void> {
    return new Promise((resolve) => {
      this.slotFreed = () => {
        this.slotFreed = undefined;
        resolve();
      };
    });
  }

  /** The disk-space gate: false (and a log line once per low period) while below the floor. */
  private async enoughDisk(): Promise<boolean> {
    const floor = this.options.diskFloor;
    if (floor === undefined) return true;
    let free: number;
    try {
      free = await floor.freeBytes();
    } catch (err) {
      // An unreadable figure must not stop the runner: the job's own writes will tell.
      this.logger.debug({ err: errorMessage(err) }, "cannot read free disk space");
      return true;
    }
    if (free >= floor.minFreeBytes) {
      if (this.paused !== undefined) {
        this.logger.info(
          { freeBytes: free, minFreeBytes: floor.minFreeBytes },
          "disk space is back; taking jobs again",
        );
        this.paused = undefined;
      }
      return true;
    }
    if (this.paused === undefined) {
      this.logger.warn(
        { freeBytes: free, minFreeBytes: floor.minFreeBytes },
        "free disk space is below runner.min_free: not taking jobs until space returns",
      );
    }
    this.paused = `free disk space ${free} bytes is below the floor of ${floor.minFreeBytes} bytes`;
    return false;
  }

  private pause(streak: number): number {
    return pollBackoff(streak, {
      baseMs: this.options.fetchIntervalMs ?? 2000,
      maxMs: this.options.fetchIntervalMaxMs ?? 5000,
      random: this.options.random ?? Math.random,
    });
  }

  private move(to: RunnerState): void {
    this.state = transition(this.state, to);
  }

  private finish(): void {
    if (this.state === "stopped") return;
    this.move("stopped");
    if (this.fatal) this.settle.reject(this.fatal);
    else this.settle.resolve();
  }
}
