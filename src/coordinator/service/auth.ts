import { createHash, timingSafeEqual } from "node:crypto";
import { Code, ConnectError } from "@connectrpc/connect";
import { TOKEN_HEADER, UUID_HEADER } from "../../protocol/index.js";
import type { Store } from "../store/db.js";
import type { RunnerRecord } from "../store/records.js";
import { verifyTokenOffThread } from "./tokens.js";

function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}

/** Failed token checks a runner uuid may cause per window before further unknown tokens are turned away. */
const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 60_000;

/**
 * Gitea's runner interceptor: x-runner-uuid names a live runner and x-runner-token must hash to its stored
 * hash. PBKDF2 costs milliseconds, so it runs off the main thread, and a successful check is remembered
 * as a SHA-256 of the token, tied to the stored hash (re-registration or deletion voids it). After
 * MAX_FAILURES wrong tokens for one uuid within a minute, tokens other than the remembered one are
 * refused without hashing (resource_exhausted, which a runner retries): the real runner keeps working.
 */
export class RunnerAuth {
  readonly #store: Store;
  readonly #verified = new Map<string, { digest: Buffer; hash: string }>();
  readonly #failures = new Map<string, { count: number; since: number }>();

  constructor(store: Store) {
    this.#store = store;
  }

  async authenticate(headers: Headers): Promise<RunnerRecord> {
    const uuid = headers.get(UUID_HEADER) ?? "";
    const token = headers.get(TOKEN_HEADER) ?? "";
    const runner = uuid === "" ? undefined : this.#store.runners.findByUuid(uuid);
    if (!runner || token === "") throw new ConnectError("unregistered runner", Code.Unauthenticated);
    const known = this.#verified.get(uuid);
    const d = digest(token);
    if (known && known.hash === runner.tokenHash && timingSafeEqual(known.digest, d)) return runner;
    if (this.#throttled(uuid)) {
      throw new ConnectError("too many failed token checks for this runner: retry later", Code.ResourceExhausted);
    }
    if (!(await verifyTokenOffThread(token, runner.tokenSalt, runner.tokenHash))) {
      this.#fail(uuid);
      throw new ConnectError("unregistered runner", Code.Unauthenticated);
    }
    this.#failures.delete(uuid);
    this.#verified.set(uuid, { digest: d, hash: runner.tokenHash });
    return runner;
  }

  forget(uuid: string): void {
    this.#verified.delete(uuid);
    this.#failures.delete(uuid);
  }

  #throttled(uuid: string, now = Date.now()): boolean {
    const f = this.#failures.get(uuid);
    if (f === undefined) return false;
    if (now - f.since > FAILURE_WINDOW_MS) {
      this.#failures.delete(uuid);
      return false;
    }
    return f.count >= MAX_FAILURES;
  }

  #fail(uuid: string, now = Date.now()): void {
    const f = this.#failures.get(uuid);
    if (f === undefined || now - f.since > FAILURE_WINDOW_MS) this.#failures.set(uuid, { count: 1, since: now });
    else f.count++;
  }
}
