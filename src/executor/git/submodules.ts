import { join } from "node:path";
import { type GitConfigEntries, runGit } from "./git-command.js";

export interface SubmoduleOptions {
  recursive: boolean;
  /** 0 = full history. */
  depth: number;
  signal: AbortSignal;
  /** Transport settings for the submodule fetches (credentials, rewrite, Host). */
  config: GitConfigEntries;
  /** Settings written into each submodule's own config (rewrite, Host, persisted credentials). */
  persist: GitConfigEntries;
  onLine?: (line: string) => void;
}

async function gitlinks(dir: string, signal: AbortSignal): Promise<string[]> {
  const { stdout } = await runGit(["ls-files", "--stage", "-z"], { cwd: dir, signal });
  const paths: string[] = [];
  for (const entry of stdout.split("\0")) {
    if (!entry.startsWith("160000 ")) continue;
    const tab = entry.indexOf("\t");
    if (tab > 0) paths.push(entry.slice(tab + 1));
  }
  return paths;
}

async function declaredPaths(dir: string, signal: AbortSignal): Promise<Set<string>> {
  // Exit 1 (nothing found) and a missing .gitmodules both mean: no submodule is declared.
  const r = await runGit(["config", "-f", ".gitmodules", "-z", "--get-regexp", "^submodule\\..*\\.path$"], {
    cwd: dir,
    signal,
    check: false,
  });
  const paths = new Set<string>();
  if (r.code !== 0) return paths;
  for (const entry of r.stdout.split("\0")) {
    const nl = entry.indexOf("\n");
    if (nl > 0)
      paths.add(
        entry
          .slice(nl + 1)
          .replace(/^\.\//, "")
          .replace(/\/$/, ""),
      );
  }
  return paths;
}

/**
 * Initialises and updates the submodules of the repository at `dir`. A gitlink with no
 * `.gitmodules` entry (a dangling submodule) cannot be fetched: it gets one warning line for the
 * whole repository and is skipped instead of failing the checkout.
 */
export async function updateSubmodules(dir: string, options: SubmoduleOptions): Promise<void> {
  const { signal } = options;
  const links = await gitlinks(dir, signal);
  if (links.length === 0) return;
  const declared = await declaredPaths(dir, signal);
  const valid = links.filter((p) => declared.has(p));
  const dangling = links.filter((p) => !declared.has(p));
  if (dangling.length > 0) {
    const list = dangling.map((p) => `'${p}'`).join(", ");
    options.onLine?.(
      `warning: skipping ${dangling.length === 1 ? "submodule" : "submodules"} ${list}: a gitlink with no entry in .gitmodules cannot be fetched; remove it with 'git rm --cached <path>' or add it to .gitmodules`,
    );
  }
  if (valid.length === 0) return;
  const run = { cwd: dir, signal, config: options.config, onLine: options.onLine };
  await runGit(["submodule", "sync", "--quiet", "--", ...valid], run);
  const depth = options.depth > 0 ? [`--depth=${options.depth}`] : [];
  await runGit(["submodule", "update", "--init", "--force", ...depth, "--", ...valid], run);
  for (const path of valid) {
    const sub = join(dir, path);
    for (const [key, value] of options.persist) {
      await runGit(["config", "--local", "--add", key, value], { cwd: sub, signal });
    }
    if (options.recursive) await updateSubmodules(sub, options);
  }
}
