import { createHash, randomBytes } from "node:crypto";
import {
  createWriteStream,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PoolError } from "../../lib/index.js";
import {
  type ArtifactFile,
  type ArtifactLimits,
  type ArtifactRecord,
  checkArtifactName,
  checkArtifactPath,
  DEFAULT_ARTIFACT_LIMITS,
} from "./artifacts.js";

/** Who uploads: the task a task token resolved to. */
export interface ArtifactUploader {
  runId: number;
  jobId: number;
  taskId: number;
}

/** An artifact being uploaded: files are staged until `finalize` publishes them in one rename. */
export interface UploadSession {
  id: string;
  uploader: ArtifactUploader;
  name: string;
  overwrite: boolean;
  retentionDays: number | undefined;
  /** SHA-256 of the task token that began it; later calls must present the same token. */
  tokenHash: string;
  files: Map<string, ArtifactFile>;
  /** Bytes of finished files plus bytes streaming in right now. */
  bytes: number;
  lastActivity: number;
}

export interface ArtifactStoreOptions {
  /** `<state dir>/artifacts`; created on first write. */
  dir: string;
  limits?: Partial<ArtifactLimits>;
}

/** Sessions idle this long are dropped (their task is long gone). */
const SESSION_IDLE_MS = 60 * 60_000;
const STAGING = ".uploads";
const MANIFEST = "manifest.json";

function fsConflict(err: unknown, path: string): PoolError | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOTDIR" || code === "EISDIR" || code === "EEXIST") {
    return new PoolError("INVALID_ARGUMENT", `artifact file path "${path}" clashes with another file or directory`);
  }
  return undefined;
}

/**
 * Artifacts of runs on disk: `<dir>/<runId>/<name>/manifest.json` plus `files/<path>`. Uploads
 * stage in `<dir>/.uploads/<id>/` and are published by a rename, so readers never see half an
 * artifact. Only files listed in a manifest are ever served, so no request path reaches the disk.
 */
export class ArtifactStore {
  readonly dir: string;
  readonly limits: ArtifactLimits;
  readonly #sessions = new Map<string, UploadSession>();
  #nextId: number | undefined;

  constructor(options: ArtifactStoreOptions) {
    this.dir = options.dir;
    this.limits = { ...DEFAULT_ARTIFACT_LIMITS, ...options.limits };
  }

  /** Starts an upload; refuses at once when the name is taken and `overwrite` is not set. */
  begin(
    uploader: ArtifactUploader,
    request: { name: string; overwrite?: boolean; retentionDays?: number },
    tokenHash: string,
  ): UploadSession {
    this.#expireSessions();
    const name = checkArtifactName(request.name);
    if (!request.overwrite && this.getArtifact(uploader.runId, name)) throw this.#exists(uploader.runId, name);
    const session: UploadSession = {
      id: randomBytes(16).toString("hex"),
      uploader,
      name,
      overwrite: request.overwrite === true,
      retentionDays: request.retentionDays,
      tokenHash,
      files: new Map(),
      bytes: 0,
      lastActivity: Date.now(),
    };
    mkdirSync(join(this.#staging(session.id), "files"), { recursive: true, mode: 0o700 });
    this.#sessions.set(session.id, session);
    return session;
  }

  session(id: string): UploadSession | undefined {
    return this.#sessions.get(id);
  }

  /**
   * Streams one file into the upload, hashing it on the way. `expected` (a SHA-256 the client
   * computed) is checked when given; `length` (Content-Length) is checked against the limits first.
   */
  async putFile(
    session: UploadSession,
    rawPath: string,
    body: Readable,
    options: { length?: number; expected?: string; signal: AbortSignal },
  ): Promise<ArtifactFile> {
    const path = checkArtifactPath(rawPath);
    const { limits } = this;
    const previous = session.files.get(path);
    if (!previous && session.files.size >= limits.maxFiles) {
      throw new PoolError("LIMIT_EXCEEDED", `artifact "${session.name}" has more than ${limits.maxFiles} files`);
    }
    // `more` bytes of this file are about to be added to the `fileBytes` already received.
    const tooBig = (fileBytes: number, more: number) =>
      fileBytes + more > limits.maxFileBytes
        ? new PoolError("LIMIT_EXCEEDED", `file "${path}" is larger than ${limits.maxFileBytes} bytes`)
        : session.bytes - (previous?.size ?? 0) + more > limits.maxArtifactBytes
          ? new PoolError(
              "LIMIT_EXCEEDED",
              `artifact "${session.name}" is larger than ${limits.maxArtifactBytes} bytes`,
            )
          : undefined;
    if (options.length !== undefined) {
      const err = tooBig(0, options.length);
      if (err) throw err;
    }
    const target = join(this.#staging(session.id), "files", path);
    const temp = join(this.#staging(session.id), `.part-${randomBytes(6).toString("hex")}`);
    const hash = createHash("sha256");
    let size = 0;
    session.lastActivity = Date.now();
    try {
      await pipeline(
        body,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            const err = tooBig(size, chunk.length);
            if (err) throw err;
            size += chunk.length;
            session.bytes += chunk.length;
            hash.update(chunk);
            yield chunk;
          }
        },
        createWriteStream(temp, { mode: 0o600 }),
        { signal: options.signal },
      );
      const sha256 = hash.digest("hex");
      if (options.length !== undefined && size !== options.length) {
        throw new PoolError("INVALID_ARGUMENT", `file "${path}" ended after ${size} of ${options.length} bytes`);
      }
      if (options.expected !== undefined && options.expected.toLowerCase() !== sha256) {
        throw new PoolError(
          "INVALID_ARGUMENT",
          `file "${path}" arrived with sha256 ${sha256}, not ${options.expected}`,
        );
      }
      try {
        mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
        renameSync(temp, target);
      } catch (err) {
        throw fsConflict(err, path) ?? err;
      }
      const file: ArtifactFile = { path, size, sha256 };
      if (previous) session.bytes -= previous.size;
      session.files.set(path, file);
      session.lastActivity = Date.now();
      return file;
    } catch (err) {
      session.bytes -= size;
      await rm(temp, { force: true });
      throw err;
    }
  }

  /** Publishes the upload as an artifact of its run (replacing an older one only with `overwrite`). */
  finalize(session: UploadSession): ArtifactRecord {
    this.#sessions.delete(session.id);
    const staging = this.#staging(session.id);
    const { runId } = session.uploader;
    try {
      if (session.files.size === 0) {
        throw new PoolError("INVALID_ARGUMENT", `artifact "${session.name}" has no files: upload at least one`);
      }
      const files = [...session.files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      const record: ArtifactRecord = {
        id: this.#allocateId(),
        runId,
        name: session.name,
        jobId: session.uploader.jobId,
        taskId: session.uploader.taskId,
        size: files.reduce((n, f) => n + f.size, 0),
        files,
        createdAt: new Date().toISOString(),
        ...(session.retentionDays === undefined ? {} : { retentionDays: session.retentionDays }),
      };
      writeFileSync(join(staging, MANIFEST), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
      const target = this.#artifactDir(runId, session.name);
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      // Synchronous from the check to the rename: two finalizes of one name cannot interleave.
      if (this.getArtifact(runId, session.name)) {
        if (!session.overwrite) throw this.#exists(runId, session.name);
        const trash = join(this.dir, STAGING, `old-${randomBytes(6).toString("hex")}`);
        renameSync(target, trash);
        renameSync(staging, target);
        rmSync(trash, { recursive: true, force: true });
      } else {
        renameSync(staging, target);
      }
      return record;
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }

  /** Drops an upload and its staged files. */
  abort(session: UploadSession): void {
    this.#sessions.delete(session.id);
    rmSync(this.#staging(session.id), { recursive: true, force: true });
  }

  /** The run's artifacts, oldest first. */
  listArtifacts(runId: number): ArtifactRecord[] {
    let names: string[];
    try {
      names = readdirSync(join(this.dir, String(runId)));
    } catch {
      return [];
    }
    return names
      .map((n) => this.getArtifact(runId, n))
      .filter((a): a is ArtifactRecord => a !== undefined)
      .sort((a, b) => a.id - b.id);
  }

  getArtifact(runId: number, name: string): ArtifactRecord | undefined {
    try {
      checkArtifactName(name);
      return JSON.parse(readFileSync(join(this.#artifactDir(runId, name), MANIFEST), "utf8")) as ArtifactRecord;
    } catch {
      return undefined;
    }
  }

  /** Where a listed file is on disk; undefined when the artifact does not list `path`. */
  filePath(record: ArtifactRecord, path: string): string | undefined {
    const file = record.files.find((f) => f.path === path);
    return file === undefined ? undefined : this.artifactFile(record, file);
  }

  /** Where one of `record.files` is on disk. */
  artifactFile(record: ArtifactRecord, file: ArtifactFile): string {
    return join(this.#artifactDir(record.runId, record.name), "files", file.path);
  }

  /** Directory holding an artifact's files (`files/` under it), for operators and run summaries. */
  artifactDir(runId: number, name: string): string {
    return join(this.#artifactDir(runId, checkArtifactName(name)), "files");
  }

  #artifactDir(runId: number, name: string): string {
    return join(this.dir, String(runId), name);
  }

  #staging(id: string): string {
    return join(this.dir, STAGING, id);
  }

  #exists(runId: number, name: string): PoolError {
    return new PoolError(
      "ALREADY_EXISTS",
      `artifact "${name}" already exists in run ${runId}: choose another name or set overwrite: true`,
    );
  }

  #allocateId(): number {
    if (this.#nextId === undefined) {
      let max = 0;
      for (const run of safeReaddir(this.dir)) {
        if (!/^\d+$/.test(run)) continue;
        for (const a of this.listArtifacts(Number(run))) max = Math.max(max, a.id);
      }
      this.#nextId = max + 1;
    }
    return this.#nextId++;
  }

  #expireSessions(): void {
    const now = Date.now();
    for (const s of this.#sessions.values()) if (now - s.lastActivity > SESSION_IDLE_MS) this.abort(s);
    // Staging dirs nobody holds a session for (a previous process) go once they are old.
    for (const id of safeReaddir(join(this.dir, STAGING))) {
      const path = join(this.dir, STAGING, id);
      if (this.#sessions.has(id)) continue;
      try {
        if (now - statSync(path).mtimeMs > SESSION_IDLE_MS) rmSync(path, { recursive: true, force: true });
      } catch {
        // Raced with another cleanup.
      }
    }
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
