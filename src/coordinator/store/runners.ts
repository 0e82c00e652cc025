import type { Database } from "better-sqlite3";
import type { RunnerRecord } from "./records.js";

interface Row {
  id: number;
  uuid: string;
  name: string;
  token_hash: string;
  token_salt: string;
  labels: string;
  version: string;
  ephemeral: number;
  created: number;
  last_online: number | null;
  last_active: number | null;
  deleted: number | null;
}

const toRecord = (r: Row): RunnerRecord => ({
  id: r.id,
  uuid: r.uuid,
  name: r.name,
  tokenHash: r.token_hash,
  tokenSalt: r.token_salt,
  labels: JSON.parse(r.labels) as string[],
  version: r.version,
  ephemeral: r.ephemeral === 1,
  created: r.created,
  lastOnline: r.last_online,
  lastActive: r.last_active,
  deleted: r.deleted,
});

export interface NewRunner {
  uuid: string;
  name: string;
  tokenHash: string;
  tokenSalt: string;
  labels: string[];
  version: string;
  ephemeral: boolean;
}

/** Runners are soft-deleted (Gitea keeps the row so old tasks still name their runner). */
export class RunnerStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  insert(r: NewRunner, now: number): RunnerRecord {
    const info = this.#db
      .prepare(
        `INSERT INTO runners (uuid, name, token_hash, token_salt, labels, version, ephemeral, created, last_online)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.uuid,
        r.name,
        r.tokenHash,
        r.tokenSalt,
        JSON.stringify(r.labels),
        r.version,
        r.ephemeral ? 1 : 0,
        now,
        now,
      );
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): RunnerRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM runners WHERE id = ?").get(id) as Row | undefined;
    return row && toRecord(row);
  }

  /** Live runners only. */
  findByUuid(uuid: string): RunnerRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM runners WHERE uuid = ? AND deleted IS NULL").get(uuid) as
      | Row
      | undefined;
    return row && toRecord(row);
  }

  list(): RunnerRecord[] {
    return (this.#db.prepare("SELECT * FROM runners WHERE deleted IS NULL ORDER BY id").all() as Row[]).map(toRecord);
  }

  declare(id: number, labels: string[], version: string): void {
    this.#db
      .prepare("UPDATE runners SET labels = ?, version = ? WHERE id = ?")
      .run(JSON.stringify(labels), version, id);
  }

  touch(id: number, now: number, active: boolean): void {
    if (active) this.#db.prepare("UPDATE runners SET last_online = ?, last_active = ? WHERE id = ?").run(now, now, id);
    else this.#db.prepare("UPDATE runners SET last_online = ? WHERE id = ?").run(now, id);
  }

  delete(id: number, now: number): void {
    this.#db.prepare("UPDATE runners SET deleted = ? WHERE id = ? AND deleted IS NULL").run(now, id);
  }
}
