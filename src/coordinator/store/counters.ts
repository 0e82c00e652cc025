import type { Database } from "better-sqlite3";

const TASKS_VERSION = "tasks_version";

/**
 * The global tasks_version (Gitea section 3.3): bumped whenever a job may have become pickable, so a
 * runner that already saw the latest value can be answered without a queue query.
 */
export class CounterStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Never 0: a 0 answer tells a runner it talks to a pre-1.21 server. */
  tasksVersion(): number {
    const row = this.#db.prepare("SELECT value FROM counters WHERE name = ?").get(TASKS_VERSION) as
      | { value: number }
      | undefined;
    if (row) return row.value;
    this.#db.prepare("INSERT OR IGNORE INTO counters (name, value) VALUES (?, 1)").run(TASKS_VERSION);
    return 1;
  }

  bumpTasksVersion(): number {
    const current = this.tasksVersion();
    this.#db.prepare("UPDATE counters SET value = ? WHERE name = ?").run(current + 1, TASKS_VERSION);
    return current + 1;
  }
}
