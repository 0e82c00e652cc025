import type { Database } from "better-sqlite3";
import type { HashedSecret } from "./records.js";

export interface PushTokenRecord {
  id: number;
  hash: string;
  salt: string;
  created: number;
}

interface Row {
  id: number;
  token_hash: string;
  token_salt: string;
  created: number;
}

/**
 * Tokens that may push to the coordinator's git repositories. Only their PBKDF2 hash is kept (the
 * operator reads the token from the file `up` writes); a new token revokes the older ones.
 */
export class PushTokenStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Stores `token` as the only valid push token. */
  replace(token: HashedSecret, now: number): number {
    return this.#db.transaction(() => {
      this.#db.prepare("UPDATE push_tokens SET revoked = ? WHERE revoked IS NULL").run(now);
      const info = this.#db
        .prepare("INSERT INTO push_tokens (token_hash, token_salt, token_last_eight, created) VALUES (?, ?, ?, ?)")
        .run(token.hash, token.salt, token.lastEight, now);
      return Number(info.lastInsertRowid);
    })();
  }

  /** Valid tokens whose last eight characters are `lastEight`. */
  byLastEight(lastEight: string): PushTokenRecord[] {
    const rows = this.#db
      .prepare("SELECT * FROM push_tokens WHERE token_last_eight = ? AND revoked IS NULL")
      .all(lastEight) as Row[];
    return rows.map((r) => ({ id: r.id, hash: r.token_hash, salt: r.token_salt, created: r.created }));
  }
}
