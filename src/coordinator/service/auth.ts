import { createHash, timingSafeEqual } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { TOKEN_HEADER, UUID_HEADER } from "../../protocol/index.js";
import type { Store } from "../store/db.js";
import type { RunnerRecord } from "../store/records.js";
import { verifyToken } from "./tokens.js";

function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

/**
 * Gitea's runner interceptor: x-runner-uuid names a live runner and x-runner-token must hash to its stored
 * hash. PBKDF2 costs milliseconds, and a held-open poller calls often, so a successful check is
 * remembered as a SHA-256 of the token, tied to the stored hash (re-registration or deletion voids it).
 */
export class RunnerAuth {
  readonly #store: Store;
  readonly #verified = new Map<string, { digest: Buffer; hash: string }>();

  constructor(store: Store) {
    this.#store = store;
  }

  authenticate(headers: Headers): RunnerRecord {
    const uuid = headers.get(UUID_HEADER) ?? "";
    const token = headers.get(TOKEN_HEADER) ?? "";
    const runner = uuid === "" ? undefined : this.#store.runners.findByUuid(uuid);
    if (!runner || token === "") throw new ConnectError("unregistered runner", Code.Unauthenticated);
    const known = this.#verified.get(uuid);
    const d = digest(token);
    if (known && known.hash === runner.tokenHash && timingSafeEqual(known.digest, d)) return runner;
    if (!verifyToken(token, runner.tokenSalt, runner.tokenHash)) {
      throw new ConnectError("unregistered runner", Code.Unauthenticated);
    }
    this.#verified.set(uuid, { digest: d, hash: runner.tokenHash });
    return runner;
  }

  forget(uuid: string): void {
    this.#verified.delete(uuid);
  }
}
