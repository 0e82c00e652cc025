/** How a `run:` script is executed: the argv template (with `{0}` for the script path) and its file extension. */
export interface ShellCommand {
  template: string[];
  extension: string;
}

const SHELLS: Record<string, ShellCommand> = {
  bash: { template: ["bash", "--noprofile", "--norc", "-eo", "pipefail", "{0}"], extension: ".sh" },
  sh: { template: ["sh", "-e", "{0}"], extension: ".sh" },
  python: { template: ["python", "{0}"], extension: ".py" },
  node: { template: ["node", "{0}"], extension: ".js" },
  pwsh: { template: ["pwsh", "-command", ". '{0}'"], extension: ".ps1" },
  powershell: { template: ["pwsh", "-command", ". '{0}'"], extension: ".ps1" },
};

/**
 * Resolves a step's `shell:` the way GitHub does on Linux: the known names, or a custom template
 * such as `perl {0}` (the script path is appended when `{0}` is missing). Without a shell, `bash -e`
 * when bash exists, else `sh -e`.
 */
export function resolveShell(shell: string | undefined, hasBash: boolean): ShellCommand {
  const name = shell?.trim() ?? "";
  if (name === "") {
    return hasBash ? { template: ["bash", "-e", "{0}"], extension: ".sh" } : (SHELLS.sh as ShellCommand);
  }
  const known = SHELLS[name];
  if (known) return { ...known, template: [...known.template] };
  const template = splitArgs(name);
  if (!template.some((part) => part.includes("{0}"))) template.push("{0}");
  return { template, extension: "" };
}

/** The argv for running `scriptPath` with a shell template. */
export function shellArgv(shell: ShellCommand, scriptPath: string): string[] {
  return shell.template.map((part) => part.replaceAll("{0}", scriptPath));
}

/**
 * Splits a command line with simple quoting (`'a b'`, `"c d"`, backslash escapes inside double
 * quotes), as GitHub's runner does for custom shell templates and `with.args`.
 */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  const re = /(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s"']+))+|\s+/g;
  for (const m of text.matchAll(re)) {
    if (m[0].trim() === "") continue;
    let word = "";
    for (const part of m[0].matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s"']+)/g)) {
      word += part[1]?.replace(/\\(.)/g, "$1") ?? part[2] ?? part[3] ?? "";
    }
    out.push(word);
  }
  return out;
}
