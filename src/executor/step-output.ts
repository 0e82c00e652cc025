import type { JobLog } from "./job-log.js";
import { LineBuffer } from "./line-buffer.js";
import { CommandProcessor } from "./workflow-commands.js";

export interface StepOutputOptions {
  /** Show `::debug::` lines. */
  debug: boolean;
  /** ACTIONS_ALLOW_UNSECURE_COMMANDS=true: honour `set-env` and `add-path`. */
  allowUnsecureCommands?: boolean;
}

/**
 * A step's stdout and stderr on their way to the job log: cut into lines, workflow commands
 * interpreted, masked. Values of the legacy commands (`set-output`, `save-state`, `set-env`,
 * `add-path`) are collected for the executor to apply after the phase.
 */
export class StepOutput {
  readonly outputs: Record<string, string> = {};
  readonly state: Record<string, string> = {};
  readonly env: Record<string, string> = {};
  readonly path: string[] = [];
  readonly #stdout: LineBuffer;
  readonly #stderr: LineBuffer;

  constructor(log: JobLog, options: StepOutputOptions | boolean) {
    const opts = typeof options === "boolean" ? { debug: options } : options;
    const commands = new CommandProcessor({
      log: (line) => log.line(line),
      addMask: (value) => log.masker.add(value),
      setOutput: (name, value) => {
        this.outputs[name] = value;
      },
      saveState: (name, value) => {
        this.state[name] = value;
      },
      setEnv: (name, value) => {
        this.env[name] = value;
      },
      addPath: (dir) => {
        this.path.push(dir);
      },
      debug: opts.debug,
      allowUnsecureCommands: opts.allowUnsecureCommands === true,
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
