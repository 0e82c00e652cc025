import type { Database } from "better-sqlite3";
import type { RunRecord, RunStatus } from "./records.js";

interface Row {
  id: number;
  repo: string;
  workflow_file: string;
  workflow_name: string;
  run_number: number;
  event: string;
  event_json: string;
  ref: string;
  sha: string;
  inputs: string;
  vars: string;
  actor: string;
  status: RunStatus;
  cancelled: number;
  created: number;
  started: number | null;
  stopped: number | null;
}

const toRecord = (r: Row): RunRecord => ({
  id: r.id,
  repo: r.repo,
  workflowFile: r.workflow_file,
  workflowName: r.workflow_name,
  runNumber: r.run_number,
  event: r.event,
  eventJson: r.event_json,
  ref: r.ref,
  sha: r.sha,
  inputs: JSON.parse(r.inputs) as Record<string, string>,
  vars: JSON.parse(r.vars) as Record<string, string>,
  actor: r.actor,
  status: r.status,
  cancelled: r.cancelled === 1,
  created: r.created,
  started: r.started,
  stopped: r.stopped,
});

export interface NewRun {
  repo: string;
  workflowFile: string;
  workflowName: string;
  event: string;
  eventJson: string;
  ref: string;
  sha: string;
  inputs: Record<string, string>;
  vars: Record<string, string>;
  actor: string;
}

export class RunStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** run_number counts per repository and workflow file, like Gitea's per-workflow index. */
  insert(r: NewRun, now: number): number {
    const { n } = this.#db
      .prepare("SELECT COUNT(*) AS n FROM runs WHERE repo = ? AND workflow_file = ?")
      .get(r.repo, r.workflowFile) as { n: number };
    const info = this.#db
      .prepare(
        `INSERT INTO runs (repo, workflow_file, workflow_name, run_number, event, event_json, ref, sha, inputs, vars,
           actor, status, created)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'waiting', ?)`,
      )
      .run(
        r.repo,
        r.workflowFile,
        r.workflowName,
        n + 1,
        r.event,
        r.eventJson,
        r.ref,
        r.sha,
        JSON.stringify(r.inputs),
        JSON.stringify(r.vars),
        r.actor,
        now,
      );
    return Number(info.lastInsertRowid);
  }

  get(id: number): RunRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM runs WHERE id = ?").get(id) as Row | undefined;
    return row && toRecord(row);
  }

  /** Newest first. */
  list(limit: number): RunRecord[] {
    return (this.#db.prepare("SELECT * FROM runs ORDER BY id DESC LIMIT ?").all(limit) as Row[]).map(toRecord);
  }

  setStatus(id: number, status: RunStatus, now: number): void {
    const final = status !== "waiting" && status !== "running";
    this.#db
      .prepare(
        `UPDATE runs SET status = ?,
           started = CASE WHEN started IS NULL AND ? THEN ? ELSE started END,
           stopped = CASE WHEN ? THEN ? ELSE NULL END
         WHERE id = ?`,
      )
      .run(status, status === "waiting" ? 0 : 1, now, final ? 1 : 0, now, id);
  }

  markCancelled(id: number): void {
    this.#db.prepare("UPDATE runs SET cancelled = 1 WHERE id = ?").run(id);
  }
}
