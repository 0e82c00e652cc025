import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { PoolError } from "../lib/index.js";
import { findWorkflowFiles } from "../workflow/index.js";

const exec = promisify(execFile);

export interface RepoInfo {
  /** The git working tree the run uses (the given dir, or a committed copy of a plain dir). */
  dir: string;
  /** owner/name as the forge context shows it. */
  fullName: string;
  branch: string;
  sha: string;
  /** Workflow files relative to `dir`. */
  workflows: string[];
}

async function git(args: string[], cwd: string, signal: AbortSignal): Promise<string> {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: "runnerpool",
    GIT_AUTHOR_EMAIL: "runnerpool@localhost",
    GIT_COMMITTER_NAME: "runnerpool",
    GIT_COMMITTER_EMAIL: "runnerpool@localhost",
  };
  const { stdout } = await exec("git", args, { cwd, signal, env });
  return stdout.trim();
}

/**
 * Reads branch and commit of a repository; a plain directory (like examples/hello) is copied and
 * committed into a fresh repository so jobs see a real commit without touching the user's files.
 */
export async function inspectRepo(dirArg: string, scratch: string, signal: AbortSignal): Promise<RepoInfo> {
  const given = resolve(dirArg);
  if (!existsSync(given)) {
    throw new PoolError("INVALID_ARGUMENT", `repository directory "${dirArg}" does not exist`);
  }
  let dir = given;
  let isRepo = false;
  try {
    isRepo = (await git(["rev-parse", "--show-toplevel"], given, signal)) === given;
  } catch {
    isRepo = false;
  }
  if (!isRepo) {
    dir = join(mkdtempSync(join(scratch || tmpdir(), "repo-")), basename(given));
    cpSync(given, dir, { recursive: true, filter: (src) => !relative(given, src).split("/").includes(".git") });
    await git(["init", "-q", "-b", "main"], dir, signal);
    await git(["add", "-A"], dir, signal);
    await git(["commit", "-q", "--allow-empty", "-m", `runnerpool: snapshot of ${basename(given)}`], dir, signal);
  }
  const sha = await git(["rev-parse", "HEAD"], dir, signal);
  let branch = "main";
  try {
    branch = await git(["symbolic-ref", "--short", "HEAD"], dir, signal);
  } catch {
    // Detached HEAD: keep "main" so github.ref is still a branch ref.
  }
  return {
    dir,
    fullName: `local/${servedName(basename(given))}`,
    branch,
    sha,
    workflows: await findWorkflowFiles(dir, signal),
  };
}

/** A directory name as a repository name the coordinator can serve (`[A-Za-z0-9._-]`, no `.git` end). */
function servedName(name: string): string {
  const safe = name
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .replace(/\.git$/, "");
  return safe === "" ? "repo" : safe;
}

/**
 * The full ref and commit a run of `--ref REF` uses: a name is a tag when the repository has that
 * tag, else a branch. A ref the repository does not have keeps the checked-out commit (a run can
 * pretend to be on a ref, e.g. to exercise a role's allowed_refs).
 */
export async function resolveRef(
  repo: RepoInfo,
  ref: string | undefined,
  signal: AbortSignal,
): Promise<{ ref: string; sha: string }> {
  const commitOf = async (full: string): Promise<string | undefined> => {
    try {
      return (await git(["rev-parse", "--verify", "--quiet", `${full}^{commit}`], repo.dir, signal)) || undefined;
    } catch {
      return undefined;
    }
  };
  if (!ref) return { ref: `refs/heads/${repo.branch}`, sha: repo.sha };
  if (ref.startsWith("refs/")) return { ref, sha: (await commitOf(ref)) ?? repo.sha };
  const tag = await commitOf(`refs/tags/${ref}`);
  if (tag !== undefined) return { ref: `refs/tags/${ref}`, sha: tag };
  return { ref: `refs/heads/${ref}`, sha: (await commitOf(`refs/heads/${ref}`)) ?? repo.sha };
}
