import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { type Logger, silentLogger } from "../../lib/index.js";
import { createBareRepo, HOSTED_REPO_CONFIG, readRefs, repoSlug } from "./git-repos.js";

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
const MAX_CGI_HEADER_BYTES = 64 * 1024;

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

/**
 * Serves `<reposDir>/<owner>/<name>.git` over git smart HTTP (`/<owner>/<name>[.git]/info/refs`,
 * `git-upload-pack`, `git-receive-pack`) by running `git http-backend` as a CGI. Returns false for
 * any other path so the next handler can try.
 */
export function createGitHttpHandler(options: GitHttpOptions): GitHttpHandler {
  const logger = options.logger ?? silentLogger;
  // Pushes to one repository run one at a time so the refs read before and after belong to that push.
  const pushQueues = new Map<string, Promise<void>>();

  const serialisePush = async (repo: string, fn: () => Promise<void>): Promise<void> => {
    const prev = pushQueues.get(repo) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    pushQueues.set(repo, tail);
    try {
      await next;
    } finally {
      if (pushQueues.get(repo) === tail) pushQueues.delete(repo);
    }
  };

  return (req, res) => {
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
    void serve(req, res, { repo, service, pathInfo: `/${repo}.git/${action}`, query: url.search.slice(1) }).catch(
      (err: unknown) => {
        logger.error({ err, repo, service }, "git http request failed");
        plain(res, 500, "internal error");
      },
    );
    return true;
  };

  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    r: { repo: string; service: GitService; pathInfo: string; query: string },
  ): Promise<void> {
    const repoPath = join(options.reposDir, `${r.repo}.git`);
    const creds = basicCredentials(req.headers.authorization);
    const allowed =
      r.service === "receive-pack"
        ? creds !== undefined && options.authorize?.({ repo: r.repo, service: r.service, ...creds }) === true
        : options.authorize === undefined || options.authorize({ repo: r.repo, service: r.service, ...creds });
    if (!allowed) {
      req.resume();
      plain(res, 401, "authentication required", { "www-authenticate": 'Basic realm="runnerpool git"' });
      return;
    }
    let exists = await stat(join(repoPath, "objects")).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!exists && r.service === "receive-pack" && options.createOnPush) {
      const [owner = "", name = ""] = r.repo.split("/");
      await createBareRepo(options.reposDir, owner, name, AbortSignal.timeout(30_000));
      logger.info({ repo: r.repo }, "created repository for a push");
      exists = true;
    }
    if (!exists) {
      req.resume();
      plain(res, 404, "repository not found");
      return;
    }
    if (r.service !== "receive-pack" || r.pathInfo.endsWith("/info/refs")) {
      await runBackend(req, res, r, creds?.user);
      if (!res.writableEnded) res.end();
      return;
    }
    await serialisePush(r.repo, async () => {
      try {
        const signal = AbortSignal.timeout(60_000);
        const before = await readRefs(repoPath, signal);
        if (!(await runBackend(req, res, r, creds?.user))) return;
        const updates = diffRefs(before, await readRefs(repoPath, signal));
        if (updates.length === 0) return;
        try {
          await options.onPush?.({ repo: r.repo, updates });
        } catch (err) {
          logger.error({ err, repo: r.repo }, "push handler failed");
        }
      } finally {
        // Ending only now means the pushing client returns after onPush has seen the push.
        if (!res.writableEnded) res.end();
      }
    });
  }

  /** Resolves true when the backend exited 0 and its whole output was written; leaves `res` open. */
  function runBackend(
    req: IncomingMessage,
    res: ServerResponse,
    r: { service: GitService; pathInfo: string; query: string },
    user: string | undefined,
  ): Promise<boolean> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/",
      LC_ALL: "C",
      GIT_PROJECT_ROOT: options.reposDir,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: r.pathInfo,
      QUERY_STRING: r.query,
      REQUEST_METHOD: req.method ?? "GET",
      CONTENT_TYPE: req.headers["content-type"] ?? "",
      REMOTE_ADDR: req.socket.remoteAddress ?? "",
      SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    };
    // Without it the backend and upload-pack speak protocol v0 even to a v2 client.
    const gitProtocol = req.headers["git-protocol"];
    if (typeof gitProtocol === "string") env.GIT_PROTOCOL = gitProtocol;
    if (user !== undefined) env.REMOTE_USER = user;
    // The backend inflates gzip bodies itself (git clients gzip large fetch negotiations).
    const encoding = req.headers["content-encoding"];
    if (typeof encoding === "string") env.HTTP_CONTENT_ENCODING = encoding;
    const length = req.headers["content-length"];
    if (typeof length === "string") env.CONTENT_LENGTH = length;
    // Served settings apply to repositories created by hand too, not only by createBareRepo.
    HOSTED_REPO_CONFIG.forEach(([key, value], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = key;
      env[`GIT_CONFIG_VALUE_${i}`] = value;
    });
    env.GIT_CONFIG_COUNT = String(HOSTED_REPO_CONFIG.length);

    const abort = new AbortController();
    const signals = options.signal ? [abort.signal, options.signal] : [abort.signal];
    const signal = AbortSignal.any(signals);
    return new Promise<boolean>((resolve) => {
      const child = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"], signal });
      let header: Buffer = Buffer.alloc(0);
      let headersDone = false;
      let failed = false;
      const stderr: string[] = [];
      const onClose = () => {
        if (!res.writableFinished) abort.abort();
      };
      res.once("close", onClose);
      child.once("error", (err) => {
        failed = true;
        if (!signal.aborted) logger.error({ err }, "cannot run git http-backend");
      });
      child.stdin.on("error", () => undefined); // the backend may exit before reading everything
      req.pipe(child.stdin);
      child.stderr.on("data", (c: Buffer) => stderr.push(c.toString("utf8")));
      const onData = (chunk: Buffer) => {
        header = Buffer.concat([header, chunk]);
        const crlf = header.indexOf("\r\n\r\n");
        const lf = header.indexOf("\n\n");
        const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
        if (end < 0) {
          if (header.length > MAX_CGI_HEADER_BYTES) {
            failed = true;
            abort.abort();
          }
          return;
        }
        headersDone = true;
        child.stdout.off("data", onData);
        const body = header.subarray(end + (end === crlf ? 4 : 2));
        let status = 200;
        const headers: [string, string][] = [];
        for (const line of header.subarray(0, end).toString("latin1").split(/\r?\n/)) {
          const colon = line.indexOf(":");
          if (colon <= 0) continue;
          const key = line.slice(0, colon).trim();
          const value = line.slice(colon + 1).trim();
          if (key.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
          else headers.push([key, value]);
        }
        res.statusCode = status;
        for (const [key, value] of headers) res.appendHeader(key, value);
        if (body.length > 0) res.write(body);
        child.stdout.pipe(res, { end: false });
      };
      child.stdout.on("data", onData);
      child.once("close", (code) => {
        res.off("close", onClose);
        const detail = stderr.join("").trim();
        if (detail !== "") logger.warn({ pathInfo: r.pathInfo, stderr: detail }, "git http-backend said");
        const ok = code === 0 && !failed && headersDone;
        if (!headersDone) plain(res, 500, "git backend failed");
        resolve(ok && !signal.aborted);
      });
    });
  }
}
