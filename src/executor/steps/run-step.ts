import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join, posix } from "node:path";
import { interpolate, type Step } from "../../workflow/index.js";
import { resolveShell, shellArgv } from "../shell.js";
import type { StepContext, StepOutcome, StepRunner } from "./step-runner.js";

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l !== "") ?? ""
  );
}

async function hasCommand(ctx: StepContext, name: string): Promise<boolean> {
  const code = await ctx.environment
    .exec(["sh", "-c", `command -v ${name}`], {
      cwd: ctx.environment.workspace,
      env: ctx.env,
      signal: ctx.signal,
      onStdout: () => {},
      onStderr: () => {},
    })
    .catch(() => 1);
  return code === 0;
}

/** Interpreters a runner may lack; bash and sh are checked elsewhere, custom templates are the user's. */
const OPTIONAL_SHELLS = new Set(["pwsh", "python3", "python", "node"]);

/** `run:` steps: the script goes to a file in the temp dir and runs with the step's shell. */
export const runStep: StepRunner = {
  kind: "run",
  defaultName: (step: Step) => `Run ${firstLine(step.run ?? "")}`,
  async main(ctx: StepContext): Promise<StepOutcome> {
    const script = interpolate(ctx.step.run ?? "", ctx.contexts, ctx.evaluate);
    const shellName =
      ctx.step.shell !== undefined ? interpolate(ctx.step.shell, ctx.contexts, ctx.evaluate) : ctx.defaultShell;
    const hasShell = shellName !== undefined && shellName.trim() !== "";
    const shell = resolveShell(shellName, hasShell || (await ctx.hasBash()));
    // Debian-like hosts often have only python3; GitHub's template says `python`.
    if (shell.template[0] === "python" && !(await hasCommand(ctx, "python"))) {
      shell.template = ["python3", ...shell.template.slice(1)];
    }
    const program = shell.template[0] ?? "";
    // A missing interpreter should say so, not surface as "execvp: No such file or directory".
    if (OPTIONAL_SHELLS.has(program) && !(await hasCommand(ctx, program))) {
      ctx.log.error(
        `shell "${shellName}" needs the program "${program}", which this runner does not have: install it on the role's host or image, or use another shell`,
      );
      return "failure";
    }
    const file = `${randomUUID()}${shell.extension}`;
    await writeFile(join(ctx.environment.hostTemp, file), script, { mode: 0o644 });
    ctx.log.line(`Run ${firstLine(script)}`);
    const code = await ctx.environment.exec(shellArgv(shell, posix.join(ctx.environment.temp, file)), {
      cwd: ctx.workingDirectory,
      env: ctx.env,
      signal: ctx.signal,
      onStdout: ctx.output.stdout,
      onStderr: ctx.output.stderr,
    });
    ctx.output.flush();
    if (code === 0) return "success";
    if (!ctx.signal.aborted) ctx.log.error(`Process completed with exit code ${code}.`);
    return "failure";
  },
};
