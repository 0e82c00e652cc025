import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { type Logger, silentLogger } from "../../lib/index.js";
import { type BackendOptions, runGitBackend } from "./git-backend.js";
import { createBareRepo, readRefs, repoSlug } from "./git-repos.js";

export type GitService = "upload-pack" | "receive-pack";

export interface GitAuthRequest {
  /** `<owner>/<name>` */
  repo: string;
  service: GitService;
  user?: string;
  password?: string;
}

export interface GitRefUpdate {
  ref: string;
  /** 40 zeros when the ref was created. */
  before: string;
  /** 40 zeros when the ref was deleted. */
  after: string;
}

export interface GitPushEvent {
  repo: string;
  updates: GitRefUpdate[];
}

export interface GitHttpOptions {
  /** Holds `<owner>/<name>.git` bare repositories. */
  reposDir: string;
  /**
   * Decides who may fetch and push. Push always needs HTTP basic credentials accepted here; fetch is
   * anonymous when this is absent, else it must accept the (possibly missing) credentials.
   */
  authorize?: (req: GitAuthRequest) => boolean;
  /**
   * Called after a push changed refs, once per push, with every changed ref. The pushing client gets
   * its answer only once a returned promise has settled, so a push returns after the runs it starts exist.
   */
  onPush?: (event: GitPushEvent) => unknown;
  /** An authorized push to a repository that does not exist yet creates it (`git push` to a new remote). */
  createOnPush?: boolean;
  logger?: Logger;
  /** Aborting kills every running `git http-backend`. */
  signal?: AbortSignal;
}

export type GitHttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

const ZERO = "0".repeat(40);
const PATH_RE = /^\/([^/]+)\/([^/]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/;

interface Credentials {
  user: string;
  password: string;
}

function basicCredentials(header: string | undefined): Credentials | undefined {
  const m = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!m?.[1]) return undefined;
  const text = Buffer.from(m[1], "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-cache", ...headers });
  res.end(`${text}\n`);
}

function diffRefs(before: Map<string, string>, after: Map<string, string>): GitRefUpdate[] {
  const updates: GitRefUpdate[] = [];
  for (const [ref, sha] of after) {
    const old = before.get(ref) ?? ZERO;
    if (old !== sha) updates.push({ ref, before: old, after: sha });
  }
  for (const [ref, sha] of before) if (!after.has(ref)) updates.push({ ref, before: sha, after: ZERO });
  return updates.sort((a, b) => a.ref.localeCompare(b.ref));
}

/** A request the handler answers: the repository, the git service and what to ask the backend. */
interface GitRequest {
  repo: string;
  service: GitService;
  pathInfo: string;
  query: string;
}

/** The git request `req` is, false when the path is not git's, or true when it was answered already. */
function parseGitRequest(req: IncomingMessage, res: ServerResponse): GitRequest | boolean {
  const url = new URL(req.url ?? "/", "http://git.invalid");
  const m = PATH_RE.exec(url.pathname);
  if (!m) return false;
  const [, owner = "", name = "", action = ""] = m;
  const repo = repoSlug(owner, name);
  if (repo === undefined) {
    plain(res, 404, "repository not found");
    return true;
  }
  let service: GitService | undefined;
  if (action === "info/refs") {
    const q = url.searchParams.get("service");
    service = q === "git-upload-pack" ? "upload-pack" : q === "git-receive-pack" ? "receive-pack" : undefined;
    if (service === undefined) {
      plain(res, 403, "the dumb http protocol is not served: use a git client with smart http");
      return true;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      plain(res, 405, "method not allowed", { allow: "GET" });
      return true;
    }
  } else {
    service = action === "git-upload-pack" ? "upload-pack" : "receive-pack";
    if (req.method !== "POST") {
      plain(res, 405, "method not allowed", { allow: "POST" });
      return true;
    }
  }
  return { repo, service, pathInfo: `/${repo}.git/${action}`, query: url.search.slice(1) };
}

/** Pushes to one repository run one at a time so the refs read before and after belong to that push. */
class PushQueue {
  readonly #tails = new Map<string, Promise<void>>();

  async run(repo: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.#tails.get(repo) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.#tails.set(repo, tail);
    try {
      await next;
    } finally {
      if (this.#tails.get(repo) === tail) this.#tails.delete(repo);
    }
  }
}

interface Served {
  options: GitHttpOptions;
  backend: BackendOptions & { onFail: (res: ServerResponse) => void };
  pushes: PushQueue;
}

function authorized(options: GitHttpOptions, r: GitRequest, creds: Credentials | undefined): boolean {
  const ask = { repo: r.repo, service: r.service, ...creds };
  if (r.service === "receive-pack") return creds !== undefined && options.authorize?.(ask) === true;
  return options.authorize === undefined || options.authorize(ask);
}

/** Whether the repository exists, creating it first for an authorized push when asked to. */
async function ensureRepo(s: Served, r: GitRequest, repoPath: string): Promise<boolean> {
  const exists = await stat(join(repoPath, "objects")).then(
    (st) => st.isDirectory(),
    () => false,
  );
  if (exists || r.service !== "receive-pack" || !s.options.createOnPush) return exists;
  const [owner = "", name = ""] = r.repo.split("/");
  await createBareRepo(s.options.reposDir, owner, name, AbortSignal.timeout(30_000));
  s.backend.logger.info({ repo: r.repo }, "created repository for a push");
  return true;
}

/** Runs a push through the backend and tells `onPush` which refs it changed before the client returns. */
async function servePush(s: Served, req: IncomingMessage, res: ServerResponse, r: GitRequest, user?: string) {
  const repoPath = join(s.options.reposDir, `${r.repo}.git`);
  await s.pushes.run(r.repo, async () => {
    try {
      const signal = AbortSignal.timeout(60_000);
      const before = await readRefs(repoPath, signal);
      if (!(await runGitBackend(req, res, r, user, s.backend))) return;
      const updates = diffRefs(before, await readRefs(repoPath, signal));
      if (updates.length === 0) return;
      try {
        await s.options.onPush?.({ repo: r.repo, updates });
      } catch (err) {
        s.backend.logger.error({ err, repo: r.repo }, "push handler failed");
      }
    } finally {
      // Ending only now means the pushing client returns after onPush has seen the push.
      if (!res.writableEnded) res.end();
    }
  });
}

async function serve(s: Served, req: IncomingMessage, res: ServerResponse, r: GitRequest): Promise<void> {
  const creds = basicCredentials(req.headers.authorization);
  if (!authorized(s.options, r, creds)) {
    req.resume();
    plain(res, 401, "authentication required", { "www-authenticate": 'Basic realm="runnerpool git"' });
    return;
  }
  if (!(await ensureRepo(s, r, join(s.options.reposDir, `${r.repo}.git`)))) {
    req.resume();
    plain(res, 404, "repository not found");
    return;
  }
  if (r.service === "receive-pack" && !r.pathInfo.endsWith("/info/refs")) {
    await servePush(s, req, res, r, creds?.user);
    return;
  }
  await runGitBackend(req, res, r, creds?.user, s.backend);
  if (!res.writableEnded) res.end();
}

/**
 * Serves `<reposDir>/<owner>/<name>.git` over git smart HTTP (`/<owner>/<name>[.git]/info/refs`,
 * `git-upload-pack`, `git-receive-pack`) by running `git http-backend` as a CGI. Returns false for
 * any other path so the next handler can try.
 */
export function createGitHttpHandler(options: GitHttpOptions): GitHttpHandler {
  const logger = options.logger ?? silentLogger;
  const s: Served = {
    options,
    backend: {
      reposDir: options.reposDir,
      logger,
      ...(options.signal ? { signal: options.signal } : {}),
      onFail: (res) => plain(res, 500, "git backend failed"),
    },
    pushes: new PushQueue(),
  };
  return (req, res) => {
    const r = parseGitRequest(req, res);
    if (typeof r === "boolean") return r;
    void serve(s, req, res, r).catch((err: unknown) => {
      logger.error({ err, repo: r.repo, service: r.service }, "git http request failed");
      plain(res, 500, "internal error");
    });
    return true;
  };
}
