import type { JobLog } from "./job-log.js";
import { LineBuffer } from "./line-buffer.js";
import { CommandProcessor } from "./workflow-commands.js";

/**
 * A step's stdout and stderr on their way to the job log: cut into lines, workflow commands
 * interpreted, masked. Legacy `::set-output` values are collected in `outputs`.
 */
export class StepOutput {
  readonly outputs: Record<string, string> = {};
  readonly #stdout: LineBuffer;
  readonly #stderr: LineBuffer;

  constructor(log: JobLog, debug: boolean) {
    const commands = new CommandProcessor({
      log: (line) => log.line(line),
      addMask: (value) => log.masker.add(value),
      setOutput: (name, value) => {
        this.outputs[name] = value;
      },
      debug,
    });
    this.#stdout = new LineBuffer((line) => commands.line(line));
    // GitHub's runner reads commands from both streams.
    this.#stderr = new LineBuffer((line) => commands.line(line));
  }

  readonly stdout = (chunk: Buffer): void => this.#stdout.push(chunk);
  readonly stderr = (chunk: Buffer): void => this.#stderr.push(chunk);

  flush(): void {
    this.#stdout.flush();
    this.#stderr.flush();
  }
}
