import { chmodSync, existsSync } from "node:fs";
import Database from "better-sqlite3";
import { errorMessage, PoolError } from "../../lib/index.js";
import { CounterStore } from "./counters.js";
import { JobStore } from "./jobs.js";
import { LogStore } from "./logs.js";
import { migrate } from "./migrations.js";
import { RegistrationTokenStore } from "./registration-tokens.js";
import { RunnerStore } from "./runners.js";
import { RunStore } from "./runs.js";
import { TaskStore } from "./tasks.js";

/** The coordinator's state: one SQLite database, one typed store per table family. */
export interface Store {
  readonly db: Database.Database;
  readonly registrationTokens: RegistrationTokenStore;
  readonly runners: RunnerStore;
  readonly runs: RunStore;
  readonly jobs: JobStore;
  readonly tasks: TaskStore;
  readonly logs: LogStore;
  readonly counters: CounterStore;
  /** Runs `fn` in one immediate transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T;
  close(): void;
}

/**
 * The stores prepare their SQL at each call, which reads well; compiling a statement costs more than
 * running it, so prepared statements are kept per SQL text for the life of the connection.
 */
function cacheStatements(db: Database.Database): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  }) as typeof db.prepare;
}

export function openStore(path: string): Store {
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (err) {
    throw new PoolError("INTERNAL", `cannot open coordinator database "${path}": ${errorMessage(err)}`, {
      cause: err,
    });
  }
  cacheStatements(db);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  if (path !== ":memory:") {
    // The database holds the registration token in clear (as Gitea does): owner-only, like the .runner files.
    for (const f of [path, `${path}-wal`, `${path}-shm`]) {
      if (existsSync(f)) chmodSync(f, 0o600);
    }
  }
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return {
    db,
    registrationTokens: new RegistrationTokenStore(db),
    runners: new RunnerStore(db),
    runs: new RunStore(db),
    jobs: new JobStore(db),
    tasks: new TaskStore(db),
    logs: new LogStore(db),
    counters: new CounterStore(db),
    transaction: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    close: () => db.close(),
  };
}
