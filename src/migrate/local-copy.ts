import { type ShellCommand, shellCommands, shellLines, shellWords } from "./shell-script.js";
import type { StepView, WorkflowFile } from "./workflow-file.js";

/** A step command that fills the workspace from a developer's worktree instead of checking out. */
export interface LocalCopy {
  tool: "rsync" | "cp" | "git clone";
  /** The source argument as written, e.g. `${LOCAL_REPO}/`. */
  source: string;
  command: ShellCommand;
  /** First command of the step that is neither the copy nor harmless bookkeeping. */
  otherCommand?: ShellCommand;
}

/** Sources that can only exist on the machine the workflow was written on. */
const LOCAL_SOURCES: RegExp[] = [
  /LOCAL_REPO/,
  /^\/home\/[^/]+/,
  /^\/Users\/[^/]+/,
  /^~\//,
  /^\$\{?HOME\}?\//,
  /^\/root\//,
];

/** Destinations that mean "the job's workspace". */
const WORKSPACE_DESTS: RegExp[] = [
  /GITHUB_WORKSPACE/,
  /github\.workspace/,
  /^\.\/?$/,
  /^\$\{?PWD\}?\/?$/,
  /^\$\(pwd\)\/?$/,
  /^[A-Za-z0-9_.][^:]*$/, // a relative path without a host part
];

/** Commands a checkout step may run besides the copy and still be replaced wholesale. */
const HARMLESS: RegExp[] = [
  /^set\s+[-+]/,
  /^shopt\b/,
  /^(echo|printf|date|pwd|true|:|ls|du|df|whoami|hostname)\b/,
  /^mkdir\s+-p\b/,
  /^cd\b/,
  /^test\s+-d\b/,
  /^\[\s+-d\b/,
  /^rm\s+-rf\s+"?\$\{?GITHUB_WORKSPACE\}?\/?\*?"?$/,
  /^git\s+config\s+--global\s+--add\s+safe\.directory\b/,
];

/** rsync/cp options that take their value as the next word. */
const VALUE_OPTIONS = new Set([
  "--exclude",
  "--include",
  "--filter",
  "-f",
  "--exclude-from",
  "--include-from",
  "--files-from",
  "-e",
  "--rsh",
  "--chown",
  "--chmod",
  "--log-file",
  "-t",
  "--target-directory",
]);

const PREFIXES = new Set(["sudo", "time", "nice", "ionice", "env", "command", "exec"]);

function compactExpressions(text: string): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_m, inner: string) => `\${{${inner.replace(/\s+/g, "")}}}`);
}

function operands(words: string[]): { tool: LocalCopy["tool"]; args: string[] } | undefined {
  let i = 0;
  while (i < words.length && (PREFIXES.has(words[i] ?? "") || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i] ?? ""))) i++;
  const cmd = words[i];
  let tool: LocalCopy["tool"];
  if (cmd === "rsync") tool = "rsync";
  else if (cmd === "cp") tool = "cp";
  else if (cmd === "git" && words[i + 1] === "clone") {
    tool = "git clone";
    i++;
  } else return undefined;
  const args: string[] = [];
  for (let j = i + 1; j < words.length; j++) {
    const w = words[j] ?? "";
    if (w.startsWith("-")) {
      if (VALUE_OPTIONS.has(w)) j++;
      continue;
    }
    args.push(w);
  }
  if (tool === "cp" && !words.slice(i + 1).some((w) => /^-[a-zA-Z]*[aRr]/.test(w))) return undefined;
  return { tool, args };
}

function copyIn(command: ShellCommand): Omit<LocalCopy, "command"> | undefined {
  const found = operands(shellWords(compactExpressions(command.text)));
  if (!found || found.args.length < 1) return undefined;
  const dest = found.tool === "git clone" && found.args.length === 1 ? "." : (found.args.at(-1) ?? "");
  const sources = found.tool === "git clone" && found.args.length === 1 ? found.args : found.args.slice(0, -1);
  const source = sources.find((s) => LOCAL_SOURCES.some((re) => re.test(s)));
  if (source === undefined) return undefined;
  if (!WORKSPACE_DESTS.some((re) => re.test(dest))) return undefined;
  return { tool: found.tool, source };
}

/** Finds the copy-from-a-local-worktree command in a `run:` step, if it has one. */
export function findLocalCopy(step: StepView): LocalCopy | undefined {
  if (step.run === undefined || step.uses !== undefined) return undefined;
  const commands = shellLines(String(step.run.value)).flatMap(shellCommands);
  let copy: LocalCopy | undefined;
  let other: ShellCommand | undefined;
  for (const command of commands) {
    const found = copy === undefined ? copyIn(command) : undefined;
    if (found) copy = { ...found, command };
    else if (other === undefined && !HARMLESS.some((re) => re.test(command.text))) other = command;
  }
  if (copy && other) copy.otherCommand = other;
  return copy;
}

/** `actions/checkout` by any host or version, e.g. `https://code.forgejo.org/actions/checkout@v4`. */
export function isCheckoutAction(uses: string | undefined): boolean {
  return uses !== undefined && /(^|\/)actions\/checkout(@|$)/.test(uses);
}

/** A step that copies from a local worktree, with the copy found in it. */
export interface LocalCopyStep {
  step: StepView;
  copy: LocalCopy;
}

const cache = new WeakMap<WorkflowFile, LocalCopyStep[]>();

/** Every local-copy checkout step of a workflow, each anchored step once (aliases are skipped). */
export function localCopySteps(wf: WorkflowFile): LocalCopyStep[] {
  let found = cache.get(wf);
  if (found === undefined) {
    found = [];
    for (const job of wf.jobs) {
      for (const step of job.steps) {
        if (step.viaAlias) continue;
        const copy = findLocalCopy(step);
        if (copy) found.push({ step, copy });
      }
    }
    cache.set(wf, found);
  }
  return found;
}

/** True when `offset` lies inside one of the local-copy steps. */
export function inLocalCopyStep(wf: WorkflowFile, offset: number): boolean {
  return localCopySteps(wf).some(({ step }) => {
    const r = step.node.range;
    return r !== undefined && r !== null && offset >= r[0] && offset < r[1];
  });
}
