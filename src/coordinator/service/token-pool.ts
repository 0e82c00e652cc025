import { pbkdf2 } from "node:crypto";
import { newSaltedToken, randomSalt, randomToken, type SaltedToken } from "./tokens.js";

/**
 * Task tokens hashed ahead of time on libuv's thread pool: PBKDF2 with 10000 iterations costs ~10 ms of
 * event-loop time, which would otherwise sit in every pickup. `take` never waits: when the pool is
 * empty it hashes synchronously.
 */
export class TokenPool {
  readonly #ready: SaltedToken[] = [];
  readonly #size: number;
  #pending = 0;
  #closed = false;

  constructor(size = 4) {
    this.#size = size;
    this.#refill();
  }

  /** Tokens hashed and waiting to be taken. */
  get ready(): number {
    return this.#ready.length;
  }

  take(): SaltedToken {
    const token = this.#ready.shift() ?? newSaltedToken();
    this.#refill();
    return token;
  }

  close(): void {
    this.#closed = true;
    this.#ready.length = 0;
  }

  #refill(): void {
    while (!this.#closed && this.#ready.length + this.#pending < this.#size) {
      this.#pending++;
      const token = randomToken();
      const salt = randomSalt();
      pbkdf2(token, salt, 10_000, 50, "sha256", (err, key) => {
        this.#pending--;
        if (err || this.#closed) return;
        this.#ready.push({ token, salt, hash: key.toString("hex"), lastEight: token.slice(-8) });
      });
    }
  }
}
