import { createReadStream } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { type ErrorCode, type Logger, PoolError, silentLogger } from "../../lib/index.js";
import { ArtifactAccess, type TaskTokenAuthority } from "./artifact-access.js";
import { ARTIFACT_API_PREFIX, bearer, readJson, segments, sendJson, sha256 } from "./artifact-io.js";
import type { ArtifactStore } from "./artifact-store.js";
import { tarStream } from "./artifact-tar.js";
import type { ArtifactRecord } from "./artifacts.js";

export type { TaskTokenAuthority } from "./artifact-access.js";
export { ARTIFACT_API_PREFIX } from "./artifact-io.js";

export interface ArtifactHandlerOptions {
  /** A bearer token that may read the artifacts of every run (the pool's admin token). */
  readToken?: string;
  logger?: Logger;
}

/** Answers the artifact API's requests and returns false for every other path. */
export type ArtifactHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

const STATUS: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  FORGE_UNAUTHENTICATED: 401,
  POLICY_REFUSED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  LIMIT_EXCEEDED: 413,
};

interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  parts: string[];
  method: string;
  signal: AbortSignal;
}

/** POST artifacts, PUT uploads/<id>/files/<path>, POST uploads/<id>/finalize, DELETE uploads/<id>. */
async function uploadRoute(r: Request, access: ArtifactAccess, store: ArtifactStore): Promise<boolean> {
  const { req, res, parts, method } = r;
  const [head, a, b, c, ...rest] = parts;
  if (head === "artifacts" && parts.length === 1 && method === "POST") {
    const token = bearer(req);
    const info = access.authenticate(token);
    const body = await readJson(req);
    if (typeof body.name !== "string") throw new PoolError("INVALID_ARGUMENT", "body needs a string 'name'");
    const retention = body.retentionDays;
    const session = store.begin(
      { runId: info.runId, jobId: info.jobId, taskId: info.taskId },
      {
        name: body.name,
        overwrite: body.overwrite === true,
        ...(typeof retention === "number" && retention > 0 ? { retentionDays: retention } : {}),
      },
      sha256(token),
    );
    sendJson(res, 201, { uploadId: session.id, runId: info.runId, name: session.name });
    return true;
  }
  if (head !== "uploads" || a === undefined) return false;
  const session = access.sessionFor(req, a);
  if (b === "files" && c !== undefined && method === "PUT") {
    const length = req.headers["content-length"];
    const expected = req.headers["x-runnerpool-sha256"];
    const file = await store.putFile(session, [c, ...rest].join("/"), req, {
      ...(length === undefined ? {} : { length: Number(length) }),
      ...(typeof expected === "string" ? { expected } : {}),
      signal: r.signal,
    });
    sendJson(res, 201, file);
    return true;
  }
  if (b === "finalize" && parts.length === 3 && method === "POST") {
    const info = access.authenticate(bearer(req));
    if (info.taskId !== session.uploader.taskId) {
      throw new PoolError("POLICY_REFUSED", `upload "${a}" belongs to another task`);
    }
    sendJson(res, 201, store.finalize(session));
    return true;
  }
  if (parts.length === 2 && method === "DELETE") {
    store.abort(session);
    sendJson(res, 200, { aborted: a });
    return true;
  }
  return false;
}

/** One file of an artifact, or all of them as a tar stream. */
async function sendFiles(r: Request, store: ArtifactStore, record: ArtifactRecord, rest: string[]): Promise<boolean> {
  const { res, signal } = r;
  const [what, ...pathParts] = rest;
  if (what === "files" && pathParts.length > 0) {
    const path = pathParts.join("/");
    const file = record.files.find((f) => f.path === path);
    const source = store.filePath(record, path);
    if (!file || !source) throw new PoolError("NOT_FOUND", `artifact "${record.name}" has no file "${path}"`);
    res.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": file.size,
      "x-runnerpool-sha256": file.sha256,
      etag: `"${file.sha256}"`,
    });
    await pipeline(createReadStream(source), res, { signal });
    return true;
  }
  if (what === "archive" && pathParts.length === 0) {
    const entries = record.files.map((f) => ({ ...f, source: store.artifactFile(record, f) }));
    res.writeHead(200, {
      "content-type": "application/x-tar",
      "content-disposition": `attachment; filename="${encodeURIComponent(record.name)}.tar"`,
    });
    await pipeline(tarStream(entries, Math.floor(Date.parse(record.createdAt) / 1000)), res, { signal });
    return true;
  }
  return false;
}

/** GET runs/<id>/artifacts, runs/<id>/artifacts/<name>, .../files/<path>, .../archive. */
async function readRoute(r: Request, access: ArtifactAccess, store: ArtifactStore): Promise<boolean> {
  const [head, a, b, c, ...rest] = r.parts;
  if (head !== "runs" || a === undefined || b !== "artifacts" || r.method !== "GET") return false;
  if (c === undefined) {
    const runId = Number(a);
    if (!/^\d+$/.test(a)) throw new PoolError("INVALID_ARGUMENT", `run id "${a}" is not a number`);
    access.authorizeRead(r.req, runId);
    sendJson(r.res, 200, { artifacts: store.listArtifacts(runId) });
    return true;
  }
  const record = access.artifactOf(r.req, a, c);
  if (rest.length === 0) {
    sendJson(r.res, 200, record);
    return true;
  }
  return sendFiles(r, store, record, rest);
}

/**
 * runnerpool's artifact API (docs/development.md, "Artifacts"): jobs upload with their task token,
 * scoped to their own run; anyone holding a task token of a run (or the read token) lists and
 * downloads that run's artifacts, per file or as one tar stream.
 */
export function createArtifactHandler(
  authority: TaskTokenAuthority,
  store: ArtifactStore,
  options: ArtifactHandlerOptions = {},
): ArtifactHandler {
  const logger = options.logger ?? silentLogger;
  const access = new ArtifactAccess(authority, store, options.readToken);
  const route = async (r: Request) => {
    if ((await uploadRoute(r, access, store)) || (await readRoute(r, access, store))) return;
    throw new PoolError("NOT_FOUND", `no artifact API route ${r.method} ${ARTIFACT_API_PREFIX}${r.parts.join("/")}`);
  };
  return (req, res) => {
    const pathname = new URL(req.url ?? "/", "http://artifacts.invalid").pathname;
    if (!pathname.startsWith(ARTIFACT_API_PREFIX)) return false;
    const controller = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    void (async () => {
      try {
        await route({ req, res, parts: segments(pathname), method: req.method ?? "GET", signal: controller.signal });
      } catch (err) {
        const e = PoolError.from(err);
        const status = STATUS[e.code] ?? 500;
        if (status === 500 && !controller.signal.aborted) logger.error({ err }, "artifact API request failed");
        if (res.headersSent) {
          res.destroy();
          return;
        }
        // The body may still be arriving; do not keep the connection for the next request.
        if (!req.complete) res.setHeader("connection", "close");
        sendJson(res, status, { error: { code: e.code, message: e.message } });
      }
    })();
    return true;
  };
}
