import type { JobResult, SecretMasker } from "../lib/index.js";
import type { JobSink } from "./sink.js";

/**
 * The executor's only way to the sink: every line is masked on the way out, and a sink that throws
 * cannot break the job (the contract says it must not, but a job must never die of its reporter).
 */
export class JobLog {
  readonly #sink: JobSink;
  readonly masker: SecretMasker;

  constructor(sink: JobSink, masker: SecretMasker) {
    this.#sink = sink;
    this.masker = masker;
  }

  /** One output line; embedded newlines become separate lines. */
  line(text: string): void {
    for (const part of text.split("\n")) {
      const masked = this.masker.mask(part.endsWith("\r") ? part.slice(0, -1) : part);
      this.#guard(() => this.#sink.log(masked));
    }
  }

  error(message: string): void {
    this.line(`::error::${message}`);
  }

  warning(message: string): void {
    this.line(`::warning::${message}`);
  }

  stepStarted(index: number, name: string): void {
    const masked = this.masker.mask(name);
    this.#guard(() => this.#sink.stepStarted(index, masked));
  }

  stepFinished(index: number, result: JobResult, outcome: JobResult): void {
    this.#guard(() => this.#sink.stepFinished(index, result, outcome));
  }

  outputs(values: Record<string, string>): void {
    this.#guard(() => this.#sink.outputs(values));
  }

  #guard(call: () => void): void {
    try {
      call();
    } catch {
      // Nothing sensible to do: the sink is where errors would be reported.
    }
  }
}
