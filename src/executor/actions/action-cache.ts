import { createHash, randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorMessage, PoolError, spawnProcess } from "../../lib/index.js";

/** Where a fetched action's files are, and which commit they are. */
export interface CachedAction {
  sha: string;
  /** Host directory holding the commit's files (read-only by convention: copy before use). */
  dir: string;
  /** The URL it came from ("cache" when no server was asked). */
  source: string;
}

export interface FetchActionOptions {
  /** Tried in order until one serves the ref. */
  urls: string[];
  /**
   * Credentials per URL prefix (the forge's own server gets the task token, as act_runner does),
   * sent as an HTTP header through `git -c http.extraHeader`, never in the URL.
   */
  authorization?: (url: string) => string | undefined;
  ref: string;
  offline: boolean;
  signal: AbortSignal;
  /** Told when the cache stood in for a server that could not be reached. */
  onWarning?: (message: string) => void;
}

const SHA = /^[0-9a-f]{40}$/;

function gitEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // An inherited GIT_DIR would send every command to the wrong repository.
    if (v !== undefined && !k.startsWith("GIT_")) env[k] = v;
  }
  return { ...env, LC_ALL: "C", GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1" };
}

async function git(args: string[], cwd: string, signal: AbortSignal): Promise<string> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const code = await spawnProcess(["git", ...args], {
    cwd,
    env: gitEnv(),
    signal,
    onStdout: (c) => out.push(c),
    onStderr: (c) => err.push(c),
  });
  if (code !== 0) {
    const detail = Buffer.concat(err).toString("utf8").trim().split("\n").slice(-2).join("; ");
    const verb = args.find((a) => !a.startsWith("-") && !a.includes("=")) ?? "";
    throw new Error(`git ${verb} failed (exit ${code}): ${detail}`);
  }
  return Buffer.concat(out).toString("utf8").trim();
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A per-host cache of remote actions: one bare repository per source URL, and the files of every
 * commit used so far, keyed by its SHA. A ref resolved once is remembered, so the cache serves
 * jobs when the server is unreachable (or `offline`).
 */
export class ActionCache {
  readonly root: string;
  /** One fetch per repository at a time within this process; git locks would fail the second. */
  readonly #locks = new Map<string, Promise<unknown>>();

  constructor(root: string = join(tmpdir(), "runnerpool-actions")) {
    this.root = root;
  }

  /** Resolves `ref` of the action repository (keyed by its first URL) to a commit and its files. */
  async fetch(key: string, options: FetchActionOptions): Promise<CachedAction> {
    const repoDir = join(this.root, createHash("sha256").update(key).digest("hex").slice(0, 24));
    const previous = this.#locks.get(repoDir) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.#fetch(repoDir, key, options));
    this.#locks.set(repoDir, run);
    try {
      return await run;
    } finally {
      if (this.#locks.get(repoDir) === run) this.#locks.delete(repoDir);
    }
  }

  async #fetch(repoDir: string, key: string, options: FetchActionOptions): Promise<CachedAction> {
    const { ref, signal } = options;
    const bare = join(repoDir, "repo.git");
    const refFile = join(repoDir, "refs", createHash("sha256").update(ref).digest("hex").slice(0, 32));
    const treeOf = (sha: string) => join(repoDir, "trees", sha);
    if (SHA.test(ref) && (await exists(treeOf(ref)))) return { sha: ref, dir: treeOf(ref), source: "cache" };

    const problems: string[] = [];
    if (!options.offline) {
      await mkdir(join(repoDir, "refs"), { recursive: true });
      if (!(await exists(join(bare, "HEAD")))) await git(["init", "--bare", "-q", bare], repoDir, signal);
      for (const url of options.urls) {
        try {
          const auth = options.authorization?.(url);
          const config = auth === undefined ? [] : ["-c", `http.extraHeader=Authorization: ${auth}`];
          const sha = await this.#fetchRef(bare, config, url, ref, signal);
          await this.#extract(bare, sha, treeOf(sha), signal);
          await writeFile(refFile, `${sha}\n${key}\n${ref}\n`);
          return { sha, dir: treeOf(sha), source: url };
        } catch (err) {
          if (signal.aborted) throw err;
          problems.push(`${url}: ${errorMessage(err)}`);
        }
      }
    }
    const remembered = (await readFile(refFile, "utf8").catch(() => "")).split("\n")[0] ?? "";
    if (SHA.test(remembered) && (await exists(treeOf(remembered)))) {
      if (problems.length > 0) {
        options.onWarning?.(
          `could not update action '${key}@${ref}' (${problems.join("; ")}); using the cached commit ${remembered}`,
        );
      }
      return { sha: remembered, dir: treeOf(remembered), source: "cache" };
    }
    const why = options.offline ? "the runner is offline and the cache does not hold it" : problems.join("; ");
    throw new PoolError("NOT_FOUND", `cannot fetch action '${key}@${ref}': ${why}`);
  }

  /** Fetches just the ref (shallow); a commit SHA falls back to a full fetch when the server refuses it. */
  async #fetchRef(bare: string, config: string[], url: string, ref: string, signal: AbortSignal): Promise<string> {
    try {
      await git([...config, "fetch", "-q", "--no-tags", "--depth=1", url, ref], bare, signal);
    } catch (err) {
      if (!SHA.test(ref)) throw err;
      await git([...config, "fetch", "-q", "--tags", url, "+refs/heads/*:refs/remotes/origin/*"], bare, signal);
      return git(["rev-parse", "--verify", `${ref}^{commit}`], bare, signal);
    }
    return git(["rev-parse", "--verify", "FETCH_HEAD^{commit}"], bare, signal);
  }

  /** Writes the commit's files once; concurrent writers race to a rename, the loser's copy is dropped. */
  async #extract(bare: string, sha: string, target: string, signal: AbortSignal): Promise<void> {
    if (await exists(target)) return;
    const tmp = `${target}.tmp-${randomUUID()}`;
    await mkdir(tmp, { recursive: true });
    try {
      const tar = join(tmp, ".archive.tar");
      await git(["archive", "--format=tar", "-o", tar, sha], bare, signal);
      const code = await spawnProcess(["tar", "-xf", tar, "-C", tmp], {
        cwd: tmp,
        env: gitEnv(),
        signal,
        onStdout: () => {},
        onStderr: () => {},
      });
      if (code !== 0) throw new Error(`tar could not unpack commit ${sha}`);
      await rm(tar, { force: true });
      await rename(tmp, target).catch(async (err) => {
        if (!(await exists(target))) throw err;
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
}
