import type { Database } from "better-sqlite3";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const JOB_STATUSES = "'blocked','waiting','running','success','failure','cancelled','skipped'";

/** Append only: a released migration is never edited, a change is a new entry. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial",
    sql: `
CREATE TABLE registration_tokens (
  id INTEGER PRIMARY KEY,
  token TEXT NOT NULL UNIQUE,
  is_active INTEGER NOT NULL DEFAULT 1,
  created INTEGER NOT NULL
);
CREATE TABLE runners (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  token_salt TEXT NOT NULL,
  labels TEXT NOT NULL DEFAULT '[]',
  version TEXT NOT NULL DEFAULT '',
  ephemeral INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL,
  last_online INTEGER,
  last_active INTEGER,
  deleted INTEGER
);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  repo TEXT NOT NULL,
  workflow_file TEXT NOT NULL,
  workflow_name TEXT NOT NULL,
  run_number INTEGER NOT NULL,
  event TEXT NOT NULL,
  event_json TEXT NOT NULL,
  ref TEXT NOT NULL,
  sha TEXT NOT NULL,
  inputs TEXT NOT NULL DEFAULT '{}',
  vars TEXT NOT NULL DEFAULT '{}',
  actor TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('waiting','running','success','failure','cancelled','skipped')),
  cancelled INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL,
  started INTEGER,
  stopped INTEGER
);
CREATE INDEX runs_workflow ON runs(repo, workflow_file);
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  job_id TEXT NOT NULL,
  name TEXT NOT NULL,
  matrix TEXT NOT NULL DEFAULT '{}',
  runs_on TEXT NOT NULL DEFAULT '[]',
  needs TEXT NOT NULL DEFAULT '[]',
  if_expr TEXT,
  payload TEXT NOT NULL,
  step_names TEXT NOT NULL DEFAULT '[]',
  status TEXT NOT NULL CHECK (status IN (${JOB_STATUSES})),
  task_id INTEGER,
  runner_id INTEGER REFERENCES runners(id),
  unservable TEXT,
  created INTEGER NOT NULL,
  queued INTEGER,
  started INTEGER,
  stopped INTEGER,
  updated INTEGER NOT NULL
);
CREATE INDEX jobs_run ON jobs(run_id);
CREATE INDEX jobs_status ON jobs(status, queued, id);
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  runner_id INTEGER NOT NULL REFERENCES runners(id),
  token_hash TEXT NOT NULL,
  token_salt TEXT NOT NULL,
  token_last_eight TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running','success','failure','cancelled','skipped')),
  log_length INTEGER NOT NULL DEFAULT 0,
  log_archived INTEGER NOT NULL DEFAULT 0,
  started INTEGER NOT NULL,
  stopped INTEGER,
  updated INTEGER NOT NULL
);
CREATE INDEX tasks_token ON tasks(token_last_eight);
CREATE INDEX tasks_status ON tasks(status, updated);
CREATE TABLE task_steps (
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('waiting','running','success','failure','cancelled','skipped')),
  log_index INTEGER NOT NULL DEFAULT 0,
  log_length INTEGER NOT NULL DEFAULT 0,
  started INTEGER,
  stopped INTEGER,
  PRIMARY KEY (task_id, idx)
) WITHOUT ROWID;
CREATE TABLE task_outputs (
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (task_id, key)
) WITHOUT ROWID;
CREATE TABLE log_rows (
  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  time INTEGER NOT NULL,
  content TEXT NOT NULL,
  PRIMARY KEY (task_id, idx)
) WITHOUT ROWID;
CREATE TABLE job_messages (
  id INTEGER PRIMARY KEY,
  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  time INTEGER NOT NULL,
  content TEXT NOT NULL
);
CREATE INDEX job_messages_job ON job_messages(job_id, id);
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
`,
  },
  {
    version: 2,
    name: "push tokens",
    sql: `
CREATE TABLE push_tokens (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL,
  token_salt TEXT NOT NULL,
  token_last_eight TEXT NOT NULL,
  created INTEGER NOT NULL,
  revoked INTEGER
);
CREATE INDEX push_tokens_last_eight ON push_tokens(token_last_eight);
`,
  },
  {
    version: 3,
    name: "attempts and fetch request keys",
    sql: `
ALTER TABLE jobs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tasks ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tasks ADD COLUMN request_key TEXT;
CREATE INDEX tasks_request_key ON tasks(runner_id, request_key);
`,
  },
];

/** Applies every migration newer than the recorded version, each in its own transaction. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied INTEGER NOT NULL
  )`);
  const row = db.prepare("SELECT MAX(version) AS v FROM schema_migrations").get() as { v: number | null };
  const current = row.v ?? 0;
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)");
  let applied = 0;
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    })();
    applied++;
  }
  return applied;
}
