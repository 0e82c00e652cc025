import { scalarOffset } from "./scalar-offset.js";
import { type ShellCommand, shellCommands, shellLines } from "./shell-script.js";
import type { StepView, WorkflowFile } from "./workflow-file.js";

/** A command of a step's `run:` script with its source offset. */
export interface LocatedCommand {
  command: ShellCommand;
  /** Source offset of the command's first character. */
  offset: number;
  /** Source offset of a character inside the command. */
  offsetOf(commandIndex: number): number;
}

/** Every command of a step's `run:` script, located in the workflow source. */
export function stepCommands(wf: WorkflowFile, step: StepView): LocatedCommand[] {
  const run = step.run;
  if (run === undefined) return [];
  const script = String(run.value);
  return shellLines(script)
    .flatMap(shellCommands)
    .map((command) => ({
      command,
      offset: scalarOffset(wf.text, run, command.start),
      offsetOf: (i: number) => scalarOffset(wf.text, run, command.indexOf(i)),
    }));
}

/** The command with `sudo`, `env` and `VAR=value` prefixes removed, for matching what it runs. */
export function bareCommand(text: string): string {
  return text.replace(/^(?:(?:sudo|env|time|nice|command|exec)(?:\s+-\S+)*\s+|[A-Za-z_][A-Za-z0-9_]*=\S*\s+)+/, "");
}
