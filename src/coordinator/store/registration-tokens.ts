import type { Database } from "better-sqlite3";

export interface RegistrationTokenRecord {
  id: number;
  token: string;
  isActive: boolean;
  created: number;
}

interface Row {
  id: number;
  token: string;
  is_active: number;
  created: number;
}

const toRecord = (r: Row): RegistrationTokenRecord => ({
  id: r.id,
  token: r.token,
  isActive: r.is_active === 1,
  created: r.created,
});

/**
 * Registration tokens are kept in clear, like Gitea's: the operator must be able to read the current
 * one back. They are reusable (Gitea >= 1.21); only the newest is active.
 */
export class RegistrationTokenStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  active(): RegistrationTokenRecord | undefined {
    const row = this.#db
      .prepare("SELECT * FROM registration_tokens WHERE is_active = 1 ORDER BY id DESC LIMIT 1")
      .get() as Row | undefined;
    return row && toRecord(row);
  }

  find(token: string): RegistrationTokenRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM registration_tokens WHERE token = ?").get(token) as Row | undefined;
    return row && toRecord(row);
  }

  /** Inserts `token` as the only active token. */
  replace(token: string, now: number): RegistrationTokenRecord {
    return this.#db.transaction(() => {
      this.#db.prepare("UPDATE registration_tokens SET is_active = 0 WHERE is_active = 1").run();
      const info = this.#db
        .prepare("INSERT INTO registration_tokens (token, is_active, created) VALUES (?, 1, ?)")
        .run(token, now);
      return { id: Number(info.lastInsertRowid), token, isActive: true, created: now };
    })();
  }
}
