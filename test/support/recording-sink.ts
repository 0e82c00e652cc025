import type { JobSink } from "../../src/executor/index.js";
import type { JobResult } from "../../src/lib/index.js";

/** A JobSink that keeps everything it is told, in order; for tests and one-shot local runs. */
export class RecordingSink implements JobSink {
  readonly lines: string[] = [];
  readonly events: string[] = [];
  readonly started: { index: number; name: string }[] = [];
  readonly finished: { index: number; result: JobResult; outcome: JobResult }[] = [];
  readonly outputValues: Record<string, string>[] = [];
  /** Called after each log line, so a test can react to output as it arrives. */
  onLine: ((line: string) => void) | undefined;

  log(line: string): void {
    this.lines.push(line);
    this.onLine?.(line);
  }

  stepStarted(index: number, name: string): void {
    this.started.push({ index, name });
    this.events.push(`start ${index}`);
  }

  stepFinished(index: number, result: JobResult, outcome: JobResult): void {
    this.finished.push({ index, result, outcome });
    this.events.push(`finish ${index} ${result}`);
  }

  outputs(values: Record<string, string>): void {
    this.outputValues.push(values);
  }

  get text(): string {
    return this.lines.join("\n");
  }
}
