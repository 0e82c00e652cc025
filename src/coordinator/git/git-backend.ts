import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../lib/index.js";
import { HOSTED_REPO_CONFIG } from "./git-repos.js";

/** One smart-HTTP request for the backend: `/<owner>/<name>.git/<action>` and its query. */
export interface BackendRequest {
  pathInfo: string;
  query: string;
}

export interface BackendOptions {
  /** GIT_PROJECT_ROOT. */
  reposDir: string;
  logger: Logger;
  /** Aborting kills the backend. */
  signal?: AbortSignal;
}

const MAX_CGI_HEADER_BYTES = 64 * 1024;

/** The CGI environment of `git http-backend` for one request. */
function cgiEnv(req: IncomingMessage, r: BackendRequest, reposDir: string, user: string | undefined) {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/",
    LC_ALL: "C",
    GIT_PROJECT_ROOT: reposDir,
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
  return env;
}

/** Where the CGI header block ends in `buf` and how long its blank line is; undefined until it does. */
function headerEnd(buf: Buffer): { end: number; blank: number } | undefined {
  const crlf = buf.indexOf("\r\n\r\n");
  const lf = buf.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, blank: 4 };
  return lf >= 0 ? { end: lf, blank: 2 } : undefined;
}

/** Writes the CGI headers (`Status:` becomes the status code) to `res`. */
function writeCgiHeaders(res: ServerResponse, block: Buffer): void {
  let status = 200;
  const headers: [string, string][] = [];
  for (const line of block.toString("latin1").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
    else headers.push([key, value]);
  }
  res.statusCode = status;
  for (const [key, value] of headers) res.appendHeader(key, value);
}

/**
 * Runs `git http-backend` as a CGI for one request. Resolves true when the backend exited 0 and its
 * whole output was written; leaves `res` open. `onFail` answers when no header was sent yet.
 */
export function runGitBackend(
  req: IncomingMessage,
  res: ServerResponse,
  r: BackendRequest,
  user: string | undefined,
  o: BackendOptions & { onFail: (res: ServerResponse) => void },
): Promise<boolean> {
  const abort = new AbortController();
  const signal = AbortSignal.any(o.signal ? [abort.signal, o.signal] : [abort.signal]);
  return new Promise<boolean>((resolve) => {
    const child = spawn("git", ["http-backend"], {
      env: cgiEnv(req, r, o.reposDir, user),
      stdio: ["pipe", "pipe", "pipe"],
      signal,
    });
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
      if (!signal.aborted) o.logger.error({ err }, "cannot run git http-backend");
    });
    child.stdin.on("error", () => undefined); // the backend may exit before reading everything
    req.pipe(child.stdin);
    child.stderr.on("data", (c: Buffer) => stderr.push(c.toString("utf8")));
    const onData = (chunk: Buffer) => {
      header = Buffer.concat([header, chunk]);
      const found = headerEnd(header);
      if (found === undefined) {
        if (header.length > MAX_CGI_HEADER_BYTES) {
          failed = true;
          abort.abort();
        }
        return;
      }
      headersDone = true;
      child.stdout.off("data", onData);
      writeCgiHeaders(res, header.subarray(0, found.end));
      const body = header.subarray(found.end + found.blank);
      if (body.length > 0) res.write(body);
      child.stdout.pipe(res, { end: false });
    };
    child.stdout.on("data", onData);
    child.once("close", (code) => {
      res.off("close", onClose);
      const detail = stderr.join("").trim();
      if (detail !== "") o.logger.warn({ pathInfo: r.pathInfo, stderr: detail }, "git http-backend said");
      const ok = code === 0 && !failed && headersDone;
      if (!headersDone) o.onFail(res);
      resolve(ok && !signal.aborted);
    });
  });
}
