import { createHash } from "node:crypto";
import { lstat, mkdir, readdir, rename, rm, stat, utimes } from "node:fs/promises";
import { basename, join } from "node:path";
import { type Logger, PoolError, silentLogger } from "../../lib/index.js";
import { acquireFileLock, tryFileLock } from "./file-lock.js";
import { type GitConfigEntries, runGit } from "./git-command.js";
import { fsckMirror, inspectMirror } from "./mirror-health.js";

export interface MirrorCacheOptions {
  /** Parent of the mirrors; one `<sha256 of url>` bare repository each, plus its `.lock` file. */
  dir: string;
  /** Soft size cap over all mirrors; least recently used ones go first. */
  maxBytes?: number;
  /**
   * A mirror used more recently than this is never evicted: jobs read their objects from it
   * through alternates for as long as they run. Default 3 hours (Gitea's default job timeout).
   */
  minIdleMs?: number;
  /** How long to wait for another job's refresh of the same mirror; default 10 minutes. */
  lockTimeoutMs?: number;
  logger?: Logger;
}

export interface MirrorEnsureOptions {
  /** Transport settings for fetches from the origin: credentials header, url rewrite, Host header. */
  config?: GitConfigEntries;
  onLine?: (line: string) => void;
  /** What ensure did: the mirror had every wanted commit (hit), was fetched into, or was built anew. */
  onOutcome?: (outcome: MirrorOutcome) => void;
}

export type MirrorOutcome = "hit" | "fetched" | "built";

const SHA_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const MIRROR_RE = /^[0-9a-f]{64}$/;
const MIRROR_CONFIG: ReadonlyArray<readonly [string, string]> = [
  // Automatic gc could delete packs while running jobs read from them.
  ["gc.auto", "0"],
  // Every object stays in a pack, so checking packs against their indexes covers every object.
  ["transfer.unpackLimit", "1"],
  ["fetch.unpackLimit", "1"],
  ["core.logAllRefUpdates", "false"],
];
const PROTOCOL_V2: GitConfigEntries = [["protocol.version", "2"]];

async function treeBytes(path: string): Promise<number> {
  const s = await lstat(path).catch(() => undefined);
  if (s === undefined) return 0;
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const name of await readdir(path).catch(() => [] as string[])) total += await treeBytes(join(path, name));
  return total;
}

/**
 * Per-host bare mirrors, one per repository URL, so a warm checkout borrows objects through
 * alternates instead of downloading them. Refreshes run under a lock file that concurrent jobs and
 * processes respect; a damaged mirror is rebuilt.
 */
export class MirrorCache {
  readonly dir: string;
  readonly #maxBytes: number | undefined;
  readonly #minIdleMs: number;
  readonly #lockTimeoutMs: number;
  readonly #logger: Logger;

  constructor(options: MirrorCacheOptions) {
    this.dir = options.dir;
    this.#maxBytes = options.maxBytes;
    this.#minIdleMs = options.minIdleMs ?? 3 * 3600_000;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 600_000;
    this.#logger = options.logger ?? silentLogger;
  }

  /** The mirror directory for a repository URL (it may not exist yet). */
  pathFor(url: string): string {
    return join(this.dir, createHash("sha256").update(url).digest("hex"));
  }

  /**
   * Makes sure the mirror of `url` exists, is sound and holds `refs` (commit SHAs, or ref names, which
   * always trigger a refresh since they move), and returns its path. Contacts the origin only when it
   * must: a mirror that already has every wanted SHA is used as it is.
   */
  async ensure(url: string, refs: string[], signal: AbortSignal, options: MirrorEnsureOptions = {}): Promise<string> {
    if (url === "") throw new PoolError("INVALID_ARGUMENT", "mirror url is empty: give the repository url");
    await mkdir(this.dir, { recursive: true });
    const path = this.pathFor(url);
    const lock = await acquireFileLock(`${path}.lock`, { signal, timeoutMs: this.#lockTimeoutMs });
    try {
      const health = await inspectMirror(path);
      if (health.state === "corrupt") {
        this.#warn(options, url, health.reason);
        await this.#remove(path);
      }
      if (health.state === "ok") options.onOutcome?.(await this.#refresh(url, path, refs, signal, options));
      else {
        await this.#build(url, path, refs, signal, options);
        options.onOutcome?.("built");
      }
      const now = new Date();
      await utimes(path, now, now);
    } finally {
      await lock.release();
    }
    if (this.#maxBytes !== undefined) {
      await this.evict(signal, path).catch((err: unknown) => this.#logger.warn({ err }, "mirror eviction failed"));
    }
    return path;
  }

  /** Removes the mirror of `url` (after a job found it unusable); the next ensure rebuilds it. */
  async invalidate(url: string, signal: AbortSignal): Promise<void> {
    const path = this.pathFor(url);
    const lock = await acquireFileLock(`${path}.lock`, { signal, timeoutMs: this.#lockTimeoutMs });
    try {
      await this.#remove(path);
    } finally {
      await lock.release();
    }
  }

  /**
   * Evicts least recently used mirrors until all fit in `maxBytes`, skipping `keep`, mirrors in use
   * (locked) and mirrors used within `minIdleMs`. Returns the evicted paths.
   */
  async evict(signal: AbortSignal, keep?: string): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      if (name.includes(".trash-")) await rm(join(this.dir, name), { recursive: true, force: true });
    }
    if (this.#maxBytes === undefined) return [];
    const mirrors: { path: string; used: number; bytes: number }[] = [];
    for (const name of names) {
      if (!MIRROR_RE.test(name)) continue;
      const path = join(this.dir, name);
      const s = await stat(path).catch(() => undefined);
      if (s?.isDirectory()) mirrors.push({ path, used: s.mtimeMs, bytes: await treeBytes(path) });
    }
    let total = mirrors.reduce((sum, m) => sum + m.bytes, 0);
    const evicted: string[] = [];
    for (const m of mirrors.sort((a, b) => a.used - b.used)) {
      if (total <= this.#maxBytes) break;
      signal.throwIfAborted();
      if (m.path === keep || Date.now() - m.used < this.#minIdleMs) continue;
      const lock = await tryFileLock(`${m.path}.lock`);
      if (lock === undefined) continue;
      try {
        await this.#remove(m.path);
      } finally {
        await lock.release();
      }
      total -= m.bytes;
      evicted.push(m.path);
    }
    if (total > this.#maxBytes) {
      this.#logger.info({ total, maxBytes: this.#maxBytes }, "mirror cache stays over its cap: the rest is in use");
    }
    return evicted;
  }

  #warn(options: MirrorEnsureOptions, url: string, reason: string): void {
    this.#logger.warn({ url, reason }, "mirror is damaged; rebuilding it");
    options.onLine?.(`warning: the mirror of ${url} is damaged (${reason}); rebuilding it`);
  }

  async #remove(path: string): Promise<void> {
    // Renamed first so a half-deleted directory is never mistaken for a mirror.
    const trash = `${path}.trash-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      await rename(path, trash);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    await rm(trash, { recursive: true, force: true });
  }

  async #build(url: string, path: string, refs: string[], signal: AbortSignal, options: MirrorEnsureOptions) {
    for (const name of await readdir(this.dir)) {
      if (name.startsWith(`${basename(path)}.tmp-`)) await rm(join(this.dir, name), { recursive: true, force: true });
    }
    const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      await runGit(["init", "--bare", "--quiet", tmp], { cwd: this.dir, signal });
      const settings: GitConfigEntries = [["remote.origin.url", url], ...MIRROR_CONFIG];
      for (const [key, value] of settings) await runGit(["config", key, value], { cwd: tmp, signal });
      await this.#fetch(tmp, refs, signal, options);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  async #refresh(
    url: string,
    path: string,
    refs: string[],
    signal: AbortSignal,
    options: MirrorEnsureOptions,
  ): Promise<MirrorOutcome> {
    const names = refs.filter((r) => !SHA_RE.test(r));
    if (names.length === 0 && (await this.#missing(path, refs, signal)).length === 0) return "hit";
    try {
      await this.#fetch(path, refs, signal, options);
      return "fetched";
    } catch (err) {
      if (signal.aborted) throw err;
      const deep = await fsckMirror(path, signal);
      if (deep.state === "ok") throw err; // the origin or the network failed, not the mirror
      this.#warn(options, url, deep.state === "corrupt" ? deep.reason : "missing");
      await this.#remove(path);
      await this.#build(url, path, refs, signal, options);
      return "built";
    }
  }

  async #missing(path: string, refs: string[], signal: AbortSignal): Promise<string[]> {
    const missing: string[] = [];
    for (const sha of refs.filter((r) => SHA_RE.test(r))) {
      const r = await runGit(["cat-file", "-e", `${sha}^{commit}`], { cwd: path, signal, check: false });
      if (r.code !== 0) missing.push(sha);
    }
    return missing;
  }

  async #fetch(path: string, refs: string[], signal: AbortSignal, options: MirrorEnsureOptions): Promise<void> {
    const config = [...PROTOCOL_V2, ...(options.config ?? [])];
    const extra = refs.filter((r) => r.startsWith("refs/") && !/^refs\/(heads|tags)\//.test(r));
    const refspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*", ...extra.map((r) => `+${r}:${r}`)];
    const run = { cwd: path, signal, config, onLine: options.onLine };
    await runGit(["fetch", "--quiet", "--prune", "--no-tags", "--no-recurse-submodules", "origin", ...refspecs], run);
    // A commit no branch or tag reaches any more (a deleted branch, a force-push) is fetched by id
    // and pinned so pruning keeps it.
    const missing = await this.#missing(path, refs, signal);
    if (missing.length === 0) return;
    const pins = missing.map((sha) => `+${sha}:refs/runnerpool/keep/${sha}`);
    await runGit(["fetch", "--quiet", "--no-tags", "--no-recurse-submodules", "origin", ...pins], run);
    const still = await this.#missing(path, refs, signal);
    if (still.length > 0) {
      throw new PoolError("NOT_FOUND", `commit '${still[0]}' is not on the remote: check the sha`);
    }
  }
}
