import type { IncomingMessage } from "node:http";
import { PoolError } from "../../lib/index.js";
import { bearer, sameSecret, sha256 } from "./artifact-io.js";
import type { ArtifactStore, ArtifactUploader, UploadSession } from "./artifact-store.js";
import { type ArtifactRecord, checkArtifactName } from "./artifacts.js";

/** What the artifact API needs of the coordinator: a task token resolves to its running task. */
export interface TaskTokenAuthority {
  authenticate(token: string): ArtifactUploader | undefined;
}

/** Reads re-verify a token (PBKDF2, milliseconds of CPU) at most this often. */
const READ_AUTH_TTL_MS = 5_000;

/** Who may do what: uploads with the task's own token, reads within the token's run (or the read token). */
export class ArtifactAccess {
  readonly #authority: TaskTokenAuthority;
  readonly #store: ArtifactStore;
  readonly #readToken: string | undefined;
  readonly #readCache = new Map<string, { info: ArtifactUploader; until: number }>();

  constructor(authority: TaskTokenAuthority, store: ArtifactStore, readToken: string | undefined) {
    this.#authority = authority;
    this.#store = store;
    this.#readToken = readToken;
  }

  authenticate(token: string): ArtifactUploader {
    const info = this.#authority.authenticate(token);
    if (!info) {
      throw new PoolError(
        "FORGE_UNAUTHENTICATED",
        "task token is unknown or its task has ended: use a running job's token",
      );
    }
    return info;
  }

  authorizeRead(req: IncomingMessage, runId: number): void {
    const token = bearer(req);
    if (this.#readToken !== undefined && sameSecret(token, this.#readToken)) return;
    const key = sha256(token);
    const now = Date.now();
    let cached = this.#readCache.get(key);
    if (!cached || cached.until < now) {
      if (this.#readCache.size > 1000) this.#readCache.clear();
      cached = { info: this.authenticate(token), until: now + READ_AUTH_TTL_MS };
      this.#readCache.set(key, cached);
    }
    if (cached.info.runId !== runId) {
      throw new PoolError(
        "POLICY_REFUSED",
        `a task of run ${cached.info.runId} cannot read the artifacts of run ${runId}`,
      );
    }
  }

  sessionFor(req: IncomingMessage, id: string): UploadSession {
    const session = this.#store.session(id);
    if (!session) throw new PoolError("NOT_FOUND", `upload "${id}" does not exist or was finalized`);
    if (!sameSecret(sha256(bearer(req)), session.tokenHash)) {
      throw new PoolError("POLICY_REFUSED", `upload "${id}" belongs to another task`);
    }
    return session;
  }

  artifactOf(req: IncomingMessage, runText: string, name: string): ArtifactRecord {
    const runId = Number(runText);
    if (!/^\d+$/.test(runText) || !Number.isSafeInteger(runId)) {
      throw new PoolError("INVALID_ARGUMENT", `run id "${runText}" is not a number`);
    }
    this.authorizeRead(req, runId);
    const record = this.#store.getArtifact(runId, checkArtifactName(name));
    if (!record) throw new PoolError("NOT_FOUND", `run ${runId} has no artifact "${name}"`);
    return record;
  }
}
