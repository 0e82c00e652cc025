import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { JobResult } from "../lib/index.js";
import { Result, resultToWire, type StepStateSchema } from "../protocol/index.js";

interface TrackedStep {
  startedAt?: Date;
  stoppedAt?: Date;
  result?: JobResult;
  logIndex: number;
  logLength: number;
}

/**
 * The forge's view of a job's steps: one state per entry of `steps:`, each with the task-wide index of
 * its first log row and its row count (forge-protocol.md §4.6). Rows outside any step belong to none.
 */
export class StepTracker {
  private readonly steps = new Map<number, TrackedStep>();
  private current: number | undefined;

  constructor(private readonly stepCount: number) {}

  /** Step `index` starts; its rows begin at `nextRow`. False when nothing changed. */
  started(index: number, nextRow: number): boolean {
    const rec = this.steps.get(index);
    if (rec?.startedAt !== undefined) {
      // A later phase of the same step (post): a step's rows must stay one contiguous range.
      if (rec.logIndex + rec.logLength === nextRow) this.current = index;
      return false;
    }
    this.steps.set(index, { startedAt: new Date(), logIndex: nextRow, logLength: 0 });
    this.current = index;
    return true;
  }

  finished(index: number, result: JobResult, nextRow: number): void {
    const now = new Date();
    const rec = this.steps.get(index) ?? { logIndex: nextRow, logLength: 0 };
    rec.result = result;
    rec.stoppedAt = now;
    // A step skipped without starting still needs a start time for the forge's duration.
    rec.startedAt ??= now;
    this.steps.set(index, rec);
    if (this.current === index) this.current = undefined;
  }

  /** One more row was logged; it belongs to the running step, if any. */
  countRow(): void {
    if (this.current === undefined) return;
    const rec = this.steps.get(this.current);
    if (rec) rec.logLength++;
  }

  /** The job ended: every step without a result gets `fill`; later rows belong to no step. */
  finishAll(fill: JobResult, stoppedAt: Date): void {
    this.current = undefined;
    for (let i = 0; i < this.count(); i++) {
      const rec = this.steps.get(i) ?? { logIndex: 0, logLength: 0 };
      if (rec.result === undefined) {
        rec.result = fill;
        rec.stoppedAt = stoppedAt;
      }
      this.steps.set(i, rec);
    }
  }

  toWire(): MessageInitShape<typeof StepStateSchema>[] {
    const out: MessageInitShape<typeof StepStateSchema>[] = [];
    for (let i = 0; i < this.count(); i++) {
      const rec = this.steps.get(i);
      out.push({
        id: BigInt(i),
        result: rec?.result === undefined ? Result.UNSPECIFIED : resultToWire(rec.result),
        startedAt: rec?.startedAt && timestampFromDate(rec.startedAt),
        stoppedAt: rec?.stoppedAt && timestampFromDate(rec.stoppedAt),
        logIndex: BigInt(rec?.logIndex ?? 0),
        logLength: BigInt(rec?.logLength ?? 0),
      });
    }
    return out;
  }

  private count(): number {
    let n = this.stepCount;
    for (const k of this.steps.keys()) n = Math.max(n, k + 1);
    return n;
  }
}
