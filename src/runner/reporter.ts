import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { JobSink } from "../executor/index.js";
import { errorMessage, isPoolError, type JobResult, type Logger, PoolError, silentLogger } from "../lib/index.js";
import {
  MAX_OUTPUT_KEY_BYTES,
  MAX_OUTPUT_VALUE_BYTES,
  MAX_ROW_BYTES,
  Result,
  resultFromWire,
  resultToWire,
  type TaskStateSchema,
} from "../protocol/index.js";
import type { RunnerForge } from "./forge.js";
import { LogBuffer } from "./log-buffer.js";
import { formatLogLine } from "./log-format.js";
import { retry } from "./retry.js";
import { StepTracker } from "./step-tracker.js";

export interface ReporterOptions {
  taskId: bigint;
  forge: RunnerForge;
  /** Entries in the job's `steps:`; each is reported even if the job never reaches it. */
  stepCount: number;
  startedAt?: Date;
  /** The forge ended the task (cancel, reaper): stop the job. Called at most once. */
  onServerCancel?: (result: JobResult) => void;
  /** Send buffered rows at most this often (default 1000) … */
  logIntervalMs?: number;
  /** … or as soon as this many are buffered (default 100). */
  batchSize?: number;
  /** Heartbeat UpdateTask period (default 1000, like act_runner v0.2): it is also how fast a cancel on the forge is noticed. Gitea's zombie reaper waits 10 min, the embedded coordinator's lease 30 s. */
  stateIntervalMs?: number;
  /** Bound of the whole final flush in close() (default 30000). */
  closeTimeoutMs?: number;
  /** Bound of each single forge call (default 10000). */
  attemptTimeoutMs?: number;
  maxRowBytes?: number;
  logger?: Logger;
}

export interface ReporterFinal {
  result: JobResult;
  stoppedAt?: Date;
  /** Appended as the last log row: why the job ended, when the executor could not say it. */
  lastWords?: string;
}

export interface CloseReport {
  logsDelivered: boolean;
  stateDelivered: boolean;
}

const MAX_ROWS_PER_REQUEST = 1000;
const MAX_BYTES_PER_REQUEST = 4 * 1024 * 1024;
const MAX_RETRY_PAUSE_MS = 30_000;
// Gitea drops such outputs without an error, so they would never show up in sent_outputs.

/**
 * Streams one task's log rows, step states and outputs to the forge (the JobSink of the executor) and
 * sends the final result in close(). Never throws into the executor; calls after close() are dropped.
 */
export class Reporter implements JobSink {
  readonly taskId: bigint;
  private readonly forge: RunnerForge;
  private readonly logger: Logger;
  private readonly startedAt: Date;
  private readonly onServerCancel: ((result: JobResult) => void) | undefined;
  private readonly logIntervalMs: number;
  private readonly batchSize: number;
  private readonly stateIntervalMs: number;
  private readonly closeTimeoutMs: number;
  private readonly attemptTimeoutMs: number;
  private readonly maxRowBytes: number;

  private readonly buffer = new LogBuffer();
  private readonly steps: StepTracker;
  private readonly outputValues = new Map<string, string>();
  private readonly outputsAcked = new Set<string>();
  private serverEnded: JobResult | undefined;

  private stateDirty = true;
  private logResend = false;
  private lastLogAt = Date.now();
  private lastStateAt = 0;
  private logRetryAt = 0;
  private stateRetryAt = 0;
  private logFailures = 0;
  private stateFailures = 0;
  private finalOutputTries = 0;

  private readonly live = new AbortController();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private closed = false;
  private closing: Promise<CloseReport> | undefined;

  constructor(options: ReporterOptions) {
    this.taskId = options.taskId;
    this.forge = options.forge;
    this.logger = options.logger ?? silentLogger;
    this.steps = new StepTracker(options.stepCount);
    this.startedAt = options.startedAt ?? new Date();
    this.onServerCancel = options.onServerCancel;
    this.logIntervalMs = options.logIntervalMs ?? 1000;
    this.batchSize = Math.max(1, options.batchSize ?? 100);
    this.stateIntervalMs = options.stateIntervalMs ?? 1000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 30_000;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
    this.maxRowBytes = options.maxRowBytes ?? MAX_ROW_BYTES;
  }

  /** Starts the background reporting (first UpdateTask right away, then heartbeats and log batches). */
  start(): void {
    this.loop ??= this.pump();
  }

  /** The result the forge ended the task with, if it did so while the job ran. */
  get serverResult(): JobResult | undefined {
    return this.serverEnded;
  }

  // --- JobSink -----------------------------------------------------------------------------------

  log(line: string): void {
    if (this.closed) return;
    try {
      for (const content of formatLogLine(line, this.maxRowBytes)) this.appendRow(content);
    } catch (err) {
      this.logger.error({ err }, "reporter dropped a log line");
    }
  }

  stepStarted(index: number, _name: string): void {
    if (this.closed) return;
    if (this.steps.started(index, this.buffer.total)) this.touchState();
  }

  stepFinished(index: number, result: JobResult, _outcome: JobResult): void {
    if (this.closed) return;
    this.steps.finished(index, result, this.buffer.total);
    this.touchState();
  }

  outputs(values: Record<string, string>): void {
    if (this.closed) return;
    for (const [key, value] of Object.entries(values)) {
      if (Buffer.byteLength(key) > MAX_OUTPUT_KEY_BYTES || Buffer.byteLength(value) > MAX_OUTPUT_VALUE_BYTES) {
        this.appendRow(`runnerpool: job output "${key.slice(0, 64)}" dropped: keys stop at 255 bytes, values at 1 MiB`);
        continue;
      }
      if (!this.outputsAcked.has(key)) this.outputValues.set(key, value);
    }
    this.touchState();
  }

  // --- final flush -------------------------------------------------------------------------------

  /**
   * Ends the task on the forge: unfinished steps become cancelled (skipped for a skipped job), `lastWords`
   * is logged, the log is closed with `no_more` plus one empty sentinel row (Gitea ≤ 1.26.1 ignores an
   * empty final request), then the final UpdateTask goes out. Both are retried within closeTimeoutMs on
   * their own signal; resolves with what got through and never throws.
   */
  close(final: ReporterFinal, signal?: AbortSignal): Promise<CloseReport> {
    this.closing ??= this.finish(final, signal);
    return this.closing;
  }

  private async finish(final: ReporterFinal, signal: AbortSignal | undefined): Promise<CloseReport> {
    this.closed = true;
    this.live.abort();
    this.wake?.();
    await this.loop;
    const stoppedAt = final.stoppedAt ?? new Date();
    this.steps.finishAll(final.result === "skipped" ? "skipped" : "cancelled", stoppedAt);
    if (final.lastWords)
      for (const content of formatLogLine(final.lastWords, this.maxRowBytes)) this.appendRow(content);
    this.buffer.push({ time: new Date(), content: "" });

    const total = AbortSignal.any([AbortSignal.timeout(this.closeTimeoutMs), ...(signal ? [signal] : [])]);
    // The result matters more than the log: the log phase may use only half of the budget.
    const logPhase = AbortSignal.any([total, AbortSignal.timeout(this.closeTimeoutMs / 2)]);
    const report: CloseReport = { logsDelivered: false, stateDelivered: false };
    const common = { attemptTimeoutMs: this.attemptTimeoutMs, logger: this.logger };
    try {
      await retry((s) => this.drainLog(s), {
        what: `final log upload of task ${this.taskId}`,
        signal: logPhase,
        ...common,
      });
      report.logsDelivered = true;
    } catch (err) {
      this.logger.error(
        { err: errorMessage(err), task: String(this.taskId) },
        "final log upload failed; the log is incomplete",
      );
    }
    try {
      await retry((s) => this.sendFinalState(final.result, stoppedAt, s), {
        what: `final state of task ${this.taskId}`,
        signal: total,
        ...common,
      });
      report.stateDelivered = true;
    } catch (err) {
      this.logger.error({ err: errorMessage(err), task: String(this.taskId) }, "final task state not delivered");
    }
    return report;
  }

  private async drainLog(signal: AbortSignal): Promise<void> {
    while (this.buffer.pending > 0) {
      const outcome = await this.sendLogChunk(true, signal);
      if (!outcome.progressed) {
        throw new PoolError("FORGE_ERROR", `forge took no log rows of task ${this.taskId} at row ${this.buffer.acked}`);
      }
    }
  }

  private async sendFinalState(result: JobResult, stoppedAt: Date, signal: AbortSignal): Promise<void> {
    await this.sendState({ result, stoppedAt }, signal);
    const missing = [...this.outputValues.keys()].filter((k) => !this.outputsAcked.has(k));
    if (missing.length > 0 && this.finalOutputTries++ < 2) {
      throw new PoolError("FORGE_ERROR", `forge did not confirm job outputs ${JSON.stringify(missing)}`);
    }
  }

  // --- background reporting ----------------------------------------------------------------------

  private async pump(): Promise<void> {
    while (!this.closed) {
      const wait = this.nextDueIn(Date.now());
      if (wait > 0) await this.idle(wait);
      if (this.closed) break;
      if (this.logDue(Date.now())) await this.attemptLog();
      if (this.closed) break;
      if (this.stateDue(Date.now())) await this.attemptState();
    }
  }

  private logDue(now: number): boolean {
    if (this.buffer.pending === 0 || now < this.logRetryAt) return false;
    // A step change goes out with the rows before it, so a live view shows a step's output before its end.
    return (
      this.logResend ||
      this.stateDirty ||
      this.buffer.pending >= this.batchSize ||
      now >= this.lastLogAt + this.logIntervalMs
    );
  }

  private stateDue(now: number): boolean {
    return now >= this.stateRetryAt && (this.stateDirty || now >= this.lastStateAt + this.stateIntervalMs);
  }

  private nextDueIn(now: number): number {
    let at = Math.max(this.stateRetryAt, this.stateDirty ? 0 : this.lastStateAt + this.stateIntervalMs);
    if (this.buffer.pending > 0) {
      const immediate = this.logResend || this.buffer.pending >= this.batchSize;
      at = Math.min(at, Math.max(this.logRetryAt, immediate ? 0 : this.lastLogAt + this.logIntervalMs));
    }
    return Math.max(0, at - now);
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async attemptLog(): Promise<void> {
    const now = Date.now();
    this.lastLogAt = now;
    this.logResend = false;
    try {
      const outcome = await this.sendLogChunk(false, this.callSignal());
      if (this.logFailures > 0) this.logger.info({ task: String(this.taskId) }, "log upload works again");
      this.logFailures = 0;
      this.logRetryAt = 0;
      // A gap or a partial ack: resend from the ack at once; an ack that did not move backs off instead.
      if (!outcome.complete) {
        if (outcome.progressed) this.logResend = true;
        else this.logRetryAt = now + this.logIntervalMs;
      }
    } catch (err) {
      if (this.closed) return;
      this.logFailures++;
      if (this.logFailures === 1)
        this.logger.warn({ err: errorMessage(err), task: String(this.taskId) }, "log upload failed");
      this.logRetryAt = now + backoff(this.logIntervalMs, this.logFailures);
    }
  }

  private async attemptState(): Promise<void> {
    const now = Date.now();
    this.lastStateAt = now;
    this.stateDirty = false;
    try {
      await this.sendState(undefined, this.callSignal());
      if (this.stateFailures > 0) this.logger.info({ task: String(this.taskId) }, "task state reporting works again");
      this.stateFailures = 0;
      this.stateRetryAt = 0;
    } catch (err) {
      if (this.closed) return;
      this.stateDirty = true;
      this.stateFailures++;
      if (this.stateFailures === 1) {
        this.logger.warn({ err: errorMessage(err), task: String(this.taskId) }, "task state report failed");
      }
      this.stateRetryAt = now + backoff(this.stateIntervalMs, this.stateFailures);
    }
  }

  private async sendLogChunk(final: boolean, signal: AbortSignal) {
    const rows = this.buffer.chunk(MAX_ROWS_PER_REQUEST, MAX_BYTES_PER_REQUEST);
    const noMore = final && rows.length === this.buffer.pending;
    const index = this.buffer.acked;
    let ack: bigint;
    try {
      ack = await this.forge.updateLog({ taskId: this.taskId, index: BigInt(index), rows, noMore }, signal);
    } catch (err) {
      // "log file has been archived": the forge closed the log (a repeated final upload on Gitea ≤ 1.26.2, or
      // a reaper). Nothing more can be added, so stop sending instead of retrying forever.
      if (!isPoolError(err, "FORGE_ALREADY_EXISTS")) throw err;
      if (!noMore) this.logger.warn({ task: String(this.taskId) }, "forge archived the log; dropping further rows");
      this.buffer.markAllAcked();
      return { complete: true, progressed: true, lost: 0, overAcked: false };
    }
    const outcome = this.buffer.applyAck(index, rows.length, Number(ack));
    if (outcome.lost > 0) {
      this.logger.warn({ task: String(this.taskId), lost: outcome.lost }, "forge lost acknowledged log rows");
    }
    if (outcome.overAcked) {
      this.logger.warn({ task: String(this.taskId), ack: String(ack) }, "forge acknowledged log rows never sent");
    }
    return outcome;
  }

  private async sendState(final: { result: JobResult; stoppedAt: Date } | undefined, signal: AbortSignal) {
    const outputs: Record<string, string> = {};
    for (const [k, v] of this.outputValues) if (!this.outputsAcked.has(k)) outputs[k] = v;
    const res = await this.forge.updateTask(this.buildState(final), outputs, signal);
    for (const key of res.sentOutputs) {
      this.outputsAcked.add(key);
      this.outputValues.delete(key);
    }
    if (final === undefined && res.result !== Result.UNSPECIFIED && this.serverEnded === undefined) {
      this.serverEnded = resultFromWire(res.result) ?? "cancelled";
      this.logger.info({ task: String(this.taskId), result: this.serverEnded }, "forge ended the task");
      try {
        this.onServerCancel?.(this.serverEnded);
      } catch (err) {
        this.logger.error({ err }, "server-cancel handler threw");
      }
    }
  }

  private buildState(
    final: { result: JobResult; stoppedAt: Date } | undefined,
  ): MessageInitShape<typeof TaskStateSchema> {
    return {
      id: this.taskId,
      result: final === undefined ? Result.UNSPECIFIED : resultToWire(final.result),
      startedAt: timestampFromDate(this.startedAt),
      stoppedAt: final && timestampFromDate(final.stoppedAt),
      steps: this.steps.toWire(),
    };
  }

  private appendRow(content: string): void {
    this.buffer.push({ time: new Date(), content });
    this.steps.countRow();
    // The loop may be asleep until the next heartbeat: the first row after a quiet spell wakes it, so
    // rows go out within logIntervalMs of being written, not a heartbeat later.
    if (this.buffer.pending === 1 || this.buffer.pending >= this.batchSize) this.wake?.();
  }

  private touchState(): void {
    this.stateDirty = true;
    this.wake?.();
  }

  private callSignal(): AbortSignal {
    return AbortSignal.any([this.live.signal, AbortSignal.timeout(this.attemptTimeoutMs)]);
  }
}

function backoff(base: number, failures: number): number {
  return Math.min(base * 2 ** Math.min(failures - 1, 10), MAX_RETRY_PAUSE_MS);
}
