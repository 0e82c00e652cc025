import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { lchown, mkdir, rename, rm } from "node:fs/promises";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { dirname } from "node:path";
import { Readable, pipeline as streamPipeline, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PoolError } from "../../lib/index.js";
import { contextText } from "../contexts.js";
import type { StepContext } from "../steps/step-runner.js";

/** What the coordinator lists for an artifact (src/coordinator/artifacts.ts, over the wire). */
export interface RemoteArtifact {
  id: number;
  runId: number;
  name: string;
  size: number;
  files: { path: string; size: number; sha256: string }[];
}

const PREFIX = "api/runnerpool/v1/";

interface Reply {
  status: number;
  headers: IncomingMessage["headers"];
  body: IncomingMessage;
}

/** Passes bytes through unchanged, feeding them to `hash`. */
function hashTap(hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
}

/** Reads a whole (small) reply body. */
async function text(body: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Talks to the runnerpool coordinator's artifact API (docs/development.md, "Artifacts") with the
 * job's task token. Keeps connections alive across the files of one step; `close()` frees them.
 */
export class ArtifactClient {
  readonly #base: URL;
  readonly #token: string;
  readonly #agent: http.Agent;

  constructor(serverUrl: string, token: string) {
    this.#base = new URL(serverUrl.endsWith("/") ? serverUrl : `${serverUrl}/`);
    this.#token = token;
    const Agent = this.#base.protocol === "https:" ? https.Agent : http.Agent;
    this.#agent = new Agent({ keepAlive: true, maxSockets: 4 });
  }

  close(): void {
    this.#agent.destroy();
  }

  #request(
    method: string,
    path: string,
    signal: AbortSignal,
    body?: { data: Buffer | Readable; length: number; headers?: Record<string, string> },
  ): Promise<Reply> {
    const url = new URL(PREFIX + path, this.#base);
    const send = url.protocol === "https:" ? https.request : http.request;
    return new Promise<Reply>((resolve, reject) => {
      const req = send(url, {
        method,
        agent: this.#agent,
        signal,
        headers: {
          authorization: `Bearer ${this.#token}`,
          accept: "application/json",
          ...(body ? { "content-length": String(body.length), ...body.headers } : {}),
        },
      });
      req.once("response", (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }));
      req.once("error", (err) =>
        reject(
          signal.aborted
            ? err
            : new PoolError(
                "FORGE_UNAVAILABLE",
                `artifact API at ${this.#base.origin} cannot be reached: ${err.message}`,
                {
                  cause: err,
                },
              ),
        ),
      );
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body.data)) req.end(body.data);
      else {
        body.data.once("error", (err) => req.destroy(err));
        body.data.pipe(req);
      }
    });
  }

  /** Throws a PoolError for anything but `ok`; a route the server does not know means no runnerpool coordinator. */
  async #expect(reply: Reply, ok: number, what: string): Promise<string> {
    const body = await text(reply.body);
    if (reply.status === ok) return body;
    let message = body.trim().slice(0, 300);
    let code: string | undefined;
    try {
      const parsed = JSON.parse(body) as { error?: { code?: string; message?: string } };
      code = parsed.error?.code;
      message = parsed.error?.message ?? message;
    } catch {
      code = undefined;
    }
    if (code === undefined && (reply.status === 404 || reply.status === 405)) {
      throw new PoolError(
        "FORGE_UNIMPLEMENTED",
        `native artifacts need the runnerpool coordinator: ${this.#base.origin} does not serve /${PREFIX} ` +
          "(a Gitea or Forgejo instance); run this workflow on the embedded coordinator (`runnerpool run`, `runnerpool up`)",
      );
    }
    const status = reply.status;
    throw new PoolError(
      status === 409 ? "ALREADY_EXISTS" : status === 413 ? "LIMIT_EXCEEDED" : "FORGE_ERROR",
      `${what}: ${message || `HTTP ${status}`}`,
    );
  }

  async begin(
    request: { name: string; overwrite: boolean; retentionDays?: number },
    signal: AbortSignal,
  ): Promise<string> {
    const data = Buffer.from(JSON.stringify(request));
    const reply = await this.#request("POST", "artifacts", signal, {
      data,
      length: data.length,
      headers: { "content-type": "application/json" },
    });
    const body = await this.#expect(reply, 201, `cannot create artifact "${request.name}"`);
    return (JSON.parse(body) as { uploadId: string }).uploadId;
  }

  /** Streams one file; returns its SHA-256, checked against what the server computed. */
  async putFile(uploadId: string, path: string, source: string, size: number, signal: AbortSignal): Promise<string> {
    const hash = createHash("sha256");
    const stream =
      size === 0
        ? Readable.from([])
        : streamPipeline(createReadStream(source, { start: 0, end: size - 1 }), hashTap(hash), () => undefined);
    const encoded = path.split("/").map(encodeURIComponent).join("/");
    const reply = await this.#request("PUT", `uploads/${uploadId}/files/${encoded}`, signal, {
      data: stream,
      length: size,
      headers: { "content-type": "application/octet-stream" },
    });
    const body = await this.#expect(reply, 201, `cannot upload "${path}"`);
    const digest = hash.digest("hex");
    const stored = (JSON.parse(body) as { sha256: string }).sha256;
    if (stored !== digest) throw new PoolError("FORGE_ERROR", `"${path}" changed while it was uploaded: upload again`);
    return digest;
  }

  async finalize(uploadId: string, signal: AbortSignal): Promise<RemoteArtifact> {
    const reply = await this.#request("POST", `uploads/${uploadId}/finalize`, signal);
    return JSON.parse(await this.#expect(reply, 201, "cannot finalize the artifact")) as RemoteArtifact;
  }

  async abort(uploadId: string, signal: AbortSignal): Promise<void> {
    const reply = await this.#request("DELETE", `uploads/${uploadId}`, signal);
    await text(reply.body);
  }

  async list(runId: string, signal: AbortSignal): Promise<RemoteArtifact[]> {
    const reply = await this.#request("GET", `runs/${encodeURIComponent(runId)}/artifacts`, signal);
    const body = await this.#expect(reply, 200, `cannot list the artifacts of run ${runId}`);
    return (JSON.parse(body) as { artifacts: RemoteArtifact[] }).artifacts;
  }

  /** URL of an artifact's tar download, for the `artifact-url` output. */
  archiveUrl(runId: number, name: string): string {
    return new URL(`${PREFIX}runs/${runId}/artifacts/${encodeURIComponent(name)}/archive`, this.#base).href;
  }

  /**
   * Downloads one file to `dest` (written beside it, verified, then renamed into place). With
   * `owner`, the file and the directories this call created go to that uid/gid (the job's user).
   */
  async download(
    artifact: RemoteArtifact,
    file: RemoteArtifact["files"][number],
    dest: string,
    signal: AbortSignal,
    owner?: { uid: number; gid: number },
  ): Promise<void> {
    const encoded = file.path.split("/").map(encodeURIComponent).join("/");
    const reply = await this.#request(
      "GET",
      `runs/${artifact.runId}/artifacts/${encodeURIComponent(artifact.name)}/files/${encoded}`,
      signal,
    );
    if (reply.status !== 200) await this.#expect(reply, 200, `cannot download "${file.path}" of "${artifact.name}"`);
    const created = await mkdir(dirname(dest), { recursive: true });
    if (owner && created !== undefined) {
      for (let dir = dirname(dest); dir.startsWith(created); dir = dirname(dir)) {
        await lchown(dir, owner.uid, owner.gid);
        if (dir === created) break;
      }
    }
    const temp = `${dest}.${randomBytes(4).toString("hex")}.part`;
    const hash = createHash("sha256");
    try {
      await pipeline(reply.body, hashTap(hash), createWriteStream(temp), { signal });
      if (hash.digest("hex") !== file.sha256) {
        throw new PoolError("FORGE_ERROR", `"${file.path}" of "${artifact.name}" arrived damaged (sha256 differs)`);
      }
      if (owner) await lchown(temp, owner.uid, owner.gid);
      await rename(temp, dest);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }
}

/** The coordinator and the job's token, from the `github` context the task carried. */
export function artifactEndpoint(ctx: StepContext): { serverUrl: string; token: string; runId: string } {
  const github = (ctx.contexts.github ?? {}) as Record<string, unknown>;
  const serverUrl = contextText(github.server_url);
  const token = contextText(github.token);
  const runId = contextText(github.run_id);
  if (serverUrl === "" || token === "" || runId === "") {
    throw new PoolError(
      "FORGE_UNIMPLEMENTED",
      "native artifacts need the runnerpool coordinator: this job has no server_url, token or run_id",
    );
  }
  return { serverUrl, token, runId };
}
