import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { PoolError, spawnProcess } from "../../lib/index.js";

/** Server-side settings every hosted repository gets (partial and by-SHA fetches, push over HTTP). */
export const HOSTED_REPO_CONFIG: ReadonlyArray<readonly [string, string]> = [
  ["uploadpack.allowFilter", "true"],
  ["uploadpack.allowAnySHA1InWant", "true"],
  ["http.receivepack", "true"],
];

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** `<owner>/<name>` when both parts are safe path segments, else undefined. */
export function repoSlug(owner: string, name: string): string | undefined {
  if (!NAME_RE.test(owner) || !NAME_RE.test(name) || name.endsWith(".git")) return undefined;
  return `${owner}/${name}`;
}

/** Where the bare repository of `<owner>/<name>` lives under `reposDir`. */
export function bareRepoPath(reposDir: string, owner: string, name: string): string {
  if (repoSlug(owner, name) === undefined) {
    throw new PoolError(
      "INVALID_ARGUMENT",
      `repository name '${owner}/${name}' is not valid: use letters, digits, '.', '_' and '-', not starting with '.' or ending in '.git'`,
    );
  }
  return join(reposDir, owner, `${name}.git`);
}

/** Runs git with argv (never a shell) and returns stdout; a non-zero exit becomes a PoolError. */
export async function runGitTool(args: string[], cwd: string, signal: AbortSignal): Promise<string> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Inherited GIT_DIR and friends would redirect every command to the wrong repository.
    if (v !== undefined && !k.startsWith("GIT_")) env[k] = v;
  }
  Object.assign(env, { LC_ALL: "C", GIT_TERMINAL_PROMPT: "0" });
  const code = await spawnProcess(["git", ...args], {
    cwd,
    env,
    signal,
    onStdout: (c) => out.push(c),
    onStderr: (c) => err.push(c),
  });
  if (signal.aborted) throw new PoolError("TASK_CANCELLED", `git ${args[0] ?? ""} was cancelled`);
  if (code !== 0) {
    const detail = Buffer.concat(err).toString("utf8").trim().split("\n").slice(-3).join("; ");
    throw new PoolError("INTERNAL", `git ${args.join(" ")} failed in '${cwd}' (exit ${code}): ${detail}`);
  }
  return Buffer.concat(out).toString("utf8");
}

/** Every ref of a repository with the object it points to. */
export async function readRefs(repoPath: string, signal: AbortSignal): Promise<Map<string, string>> {
  const text = await runGitTool(["for-each-ref", "--format=%(objectname) %(refname)"], repoPath, signal);
  const refs = new Map<string, string>();
  for (const line of text.split("\n")) {
    const space = line.indexOf(" ");
    if (space > 0) refs.set(line.slice(space + 1), line.slice(0, space));
  }
  return refs;
}

const ZERO_RE = /^0+$/;
// The empty tree's id: a new branch is compared against nothing, so every file counts as changed.
const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/**
 * Paths changed between two commits of a served repository, for `on.push.paths` filters. A created
 * ref (`before` all zeros) lists every file of `after`; a deleted ref (`after` all zeros) lists none.
 */
export async function changedPaths(
  repoPath: string,
  before: string,
  after: string,
  signal: AbortSignal,
): Promise<string[]> {
  if (ZERO_RE.test(after)) return [];
  const base = ZERO_RE.test(before) ? EMPTY_TREE : before;
  const out = await runGitTool(["diff", "--no-renames", "--name-only", "-z", base, after, "--"], repoPath, signal);
  return out.split("\0").filter((p) => p !== "");
}

async function isDir(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/**
 * Creates `<reposDir>/<owner>/<name>.git` as a bare repository ready to be served (idempotent: an
 * existing repository only gets its settings refreshed). Returns its path.
 */
export async function createBareRepo(
  reposDir: string,
  owner: string,
  name: string,
  signal: AbortSignal,
): Promise<string> {
  const path = bareRepoPath(reposDir, owner, name);
  if (!(await isDir(join(path, "objects")))) {
    await mkdir(join(reposDir, owner), { recursive: true });
    await runGitTool(["init", "--bare", "--quiet", "--initial-branch=main", path], reposDir, signal);
  }
  for (const [key, value] of HOSTED_REPO_CONFIG) await runGitTool(["config", key, value], path, signal);
  return path;
}

export interface ImportedRepo {
  path: string;
  /** The branch the source had checked out (`refs/heads/x`), now the served repository's HEAD. */
  head: string | undefined;
}

/**
 * Pushes every branch and tag of the local repository at `srcDir` into the served bare repository
 * (created if needed), forced, so the served copy matches the source. Branches and tags that exist
 * only in the served copy are kept. Uncommitted changes are not imported.
 */
export async function importWorkingTree(
  srcDir: string,
  reposDir: string,
  owner: string,
  name: string,
  signal: AbortSignal,
): Promise<ImportedRepo> {
  const path = await createBareRepo(reposDir, owner, name, signal);
  // The source may belong to another user (a developer's checkout read by root).
  const safe = ["-c", "safe.directory=*"];
  const local = await runGitTool(
    [...safe, "for-each-ref", "--format=%(refname)", "refs/heads", "refs/tags"],
    srcDir,
    signal,
  );
  if (local.trim() !== "") {
    await runGitTool(
      [...safe, "push", "--quiet", "--force", path, "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"],
      srcDir,
      signal,
    );
  }
  let head: string | undefined;
  try {
    head = (await runGitTool([...safe, "symbolic-ref", "-q", "HEAD"], srcDir, signal)).trim() || undefined;
  } catch (err) {
    if (signal.aborted) throw err;
    head = undefined; // a detached HEAD: the served HEAD stays as it was
  }
  if (head !== undefined) await runGitTool(["symbolic-ref", "HEAD", head], path, signal);
  return { path, head };
}
