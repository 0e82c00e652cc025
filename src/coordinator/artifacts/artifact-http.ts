import { createHash, timingSafeEqual } from "node:crypto";
import { createReadStream } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import { type ErrorCode, type Logger, PoolError, silentLogger } from "../../lib/index.js";
import type { RouteHandler, TaskTokenInfo } from "../coordinator.js";
import type { ArtifactStore, UploadSession } from "./artifact-store.js";
import { tarStream } from "./artifact-tar.js";
import { type ArtifactRecord, checkArtifactName } from "./artifacts.js";

/** Every route of the artifact API starts with this. */
export const ARTIFACT_API_PREFIX = "/api/runnerpool/v1/";

export interface ArtifactHandlerOptions {
  /** A bearer token that may read the artifacts of every run (the pool's admin token). */
  readToken?: string;
  logger?: Logger;
}

/** What the handler needs of the coordinator: task tokens resolve to the task's run. */
export interface TaskTokenAuthority {
  authenticateTaskToken(token: string): TaskTokenInfo | undefined;
}

const STATUS: Partial<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  FORGE_UNAUTHENTICATED: 401,
  POLICY_REFUSED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  LIMIT_EXCEEDED: 413,
};
/** Reads re-verify a token (PBKDF2, milliseconds of CPU) at most this often. */
const READ_AUTH_TTL_MS = 5_000;
const MAX_JSON_BODY = 64 * 1024;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(sha256(a), "hex");
  const y = Buffer.from(sha256(b), "hex");
  return timingSafeEqual(x, y);
}

function bearer(req: IncomingMessage): string {
  const auth = req.headers.authorization ?? "";
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  if (!m?.[1]) {
    throw new PoolError("FORGE_UNAUTHENTICATED", "missing 'Authorization: Bearer <task token>': send the job's token");
  }
  return m[1];
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BODY) throw new PoolError("LIMIT_EXCEEDED", "request body is larger than 64 KiB");
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new PoolError("INVALID_ARGUMENT", "request body is not a JSON object");
}

function segments(pathname: string): string[] {
  try {
    return pathname
      .slice(ARTIFACT_API_PREFIX.length)
      .split("/")
      .map((s) => decodeURIComponent(s));
  } catch {
    throw new PoolError("INVALID_ARGUMENT", `malformed percent-encoding in "${pathname}"`);
  }
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
): RouteHandler {
  const logger = options.logger ?? silentLogger;
  const readCache = new Map<string, { info: TaskTokenInfo; until: number }>();

  const authenticate = (token: string): TaskTokenInfo => {
    const info = authority.authenticateTaskToken(token);
    if (!info) {
      throw new PoolError(
        "FORGE_UNAUTHENTICATED",
        "task token is unknown or its task has ended: use a running job's token",
      );
    }
    return info;
  };

  const authorizeRead = (req: IncomingMessage, runId: number): void => {
    const token = bearer(req);
    if (options.readToken !== undefined && sameSecret(token, options.readToken)) return;
    const key = sha256(token);
    const now = Date.now();
    let cached = readCache.get(key);
    if (!cached || cached.until < now) {
      if (readCache.size > 1000) readCache.clear();
      cached = { info: authenticate(token), until: now + READ_AUTH_TTL_MS };
      readCache.set(key, cached);
    }
    if (cached.info.runId !== runId) {
      throw new PoolError(
        "POLICY_REFUSED",
        `a task of run ${cached.info.runId} cannot read the artifacts of run ${runId}`,
      );
    }
  };

  const sessionFor = (req: IncomingMessage, id: string): UploadSession => {
    const session = store.session(id);
    if (!session) throw new PoolError("NOT_FOUND", `upload "${id}" does not exist or was finalized`);
    if (!sameSecret(sha256(bearer(req)), session.tokenHash)) {
      throw new PoolError("POLICY_REFUSED", `upload "${id}" belongs to another task`);
    }
    return session;
  };

  const artifactOf = (req: IncomingMessage, runText: string, name: string): ArtifactRecord => {
    const runId = Number(runText);
    if (!/^\d+$/.test(runText) || !Number.isSafeInteger(runId)) {
      throw new PoolError("INVALID_ARGUMENT", `run id "${runText}" is not a number`);
    }
    authorizeRead(req, runId);
    const record = store.getArtifact(runId, checkArtifactName(name));
    if (!record) throw new PoolError("NOT_FOUND", `run ${runId} has no artifact "${name}"`);
    return record;
  };

  async function route(req: IncomingMessage, res: ServerResponse, parts: string[], signal: AbortSignal) {
    const method = req.method ?? "GET";
    const [head, a, b, c, ...rest] = parts;
    if (head === "artifacts" && parts.length === 1 && method === "POST") {
      const token = bearer(req);
      const info = authenticate(token);
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
      return sendJson(res, 201, { uploadId: session.id, runId: info.runId, name: session.name });
    }
    if (head === "uploads" && a !== undefined) {
      const session = sessionFor(req, a);
      if (b === "files" && c !== undefined && method === "PUT") {
        const length = req.headers["content-length"];
        const expected = req.headers["x-runnerpool-sha256"];
        const file = await store.putFile(session, [c, ...rest].join("/"), req, {
          ...(length === undefined ? {} : { length: Number(length) }),
          ...(typeof expected === "string" ? { expected } : {}),
          signal,
        });
        return sendJson(res, 201, file);
      }
      if (b === "finalize" && parts.length === 3 && method === "POST") {
        const info = authenticate(bearer(req));
        if (info.taskId !== session.uploader.taskId) {
          throw new PoolError("POLICY_REFUSED", `upload "${a}" belongs to another task`);
        }
        return sendJson(res, 201, store.finalize(session));
      }
      if (parts.length === 2 && method === "DELETE") {
        store.abort(session);
        return sendJson(res, 200, { aborted: a });
      }
    }
    if (head === "runs" && a !== undefined && b === "artifacts" && method === "GET") {
      if (c === undefined) {
        const runId = Number(a);
        if (!/^\d+$/.test(a)) throw new PoolError("INVALID_ARGUMENT", `run id "${a}" is not a number`);
        authorizeRead(req, runId);
        return sendJson(res, 200, { artifacts: store.listArtifacts(runId) });
      }
      const record = artifactOf(req, a, c);
      const [what, ...pathParts] = rest;
      if (what === undefined) return sendJson(res, 200, record);
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
        return;
      }
      if (what === "archive" && pathParts.length === 0) {
        const entries = record.files.map((f) => ({ ...f, source: store.artifactFile(record, f) }));
        res.writeHead(200, {
          "content-type": "application/x-tar",
          "content-disposition": `attachment; filename="${encodeURIComponent(record.name)}.tar"`,
        });
        await pipeline(tarStream(entries, Math.floor(Date.parse(record.createdAt) / 1000)), res, { signal });
        return;
      }
    }
    throw new PoolError("NOT_FOUND", `no artifact API route ${method} ${ARTIFACT_API_PREFIX}${parts.join("/")}`);
  }

  return (req, res) => {
    const pathname = new URL(req.url ?? "/", "http://artifacts.invalid").pathname;
    if (!pathname.startsWith(ARTIFACT_API_PREFIX)) return false;
    const controller = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) controller.abort();
    });
    void (async () => {
      try {
        await route(req, res, segments(pathname), controller.signal);
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
