import type { Database } from "better-sqlite3";
import { isFinal, type JobRecord, type JobStatus } from "./records.js";

interface Row {
  id: number;
  run_id: number;
  job_id: string;
  name: string;
  matrix: string;
  runs_on: string;
  needs: string;
  if_expr: string | null;
  payload: string;
  step_names: string;
  status: JobStatus;
  task_id: number | null;
  runner_id: number | null;
  unservable: string | null;
  attempt: number;
  created: number;
  queued: number | null;
  started: number | null;
  stopped: number | null;
  updated: number;
}

const toRecord = (r: Row): JobRecord => ({
  id: r.id,
  runId: r.run_id,
  jobId: r.job_id,
  name: r.name,
  matrix: JSON.parse(r.matrix) as Record<string, unknown>,
  runsOn: JSON.parse(r.runs_on) as string[],
  needs: JSON.parse(r.needs) as string[],
  ifExpr: r.if_expr === null ? undefined : (JSON.parse(r.if_expr) as string | boolean),
  payload: r.payload,
  stepNames: JSON.parse(r.step_names) as string[],
  status: r.status,
  taskId: r.task_id,
  runnerId: r.runner_id,
  unservable: r.unservable,
  attempt: r.attempt,
  created: r.created,
  queued: r.queued,
  started: r.started,
  stopped: r.stopped,
  updated: r.updated,
});

/** A job as createRun inserts it: the record's planned fields, starting blocked or waiting. */
export type NewJob = Pick<
  JobRecord,
  "runId" | "jobId" | "name" | "matrix" | "runsOn" | "needs" | "ifExpr" | "payload" | "stepNames"
> & { status: "blocked" | "waiting" };

/** A waiting job as the picker sees it: just enough to match labels. */
export interface QueuedJob {
  id: number;
  runsOn: string[];
  queued: number;
}

export class JobStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  insert(j: NewJob, now: number): number {
    const info = this.#db
      .prepare(
        `INSERT INTO jobs (run_id, job_id, name, matrix, runs_on, needs, if_expr, payload, step_names, status,
           created, queued, updated)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        j.runId,
        j.jobId,
        j.name,
        JSON.stringify(j.matrix),
        JSON.stringify(j.runsOn),
        JSON.stringify(j.needs),
        j.ifExpr === undefined ? null : JSON.stringify(j.ifExpr),
        j.payload,
        JSON.stringify(j.stepNames),
        j.status,
        now,
        j.status === "waiting" ? now : null,
        now,
      );
    return Number(info.lastInsertRowid);
  }

  get(id: number): JobRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM jobs WHERE id = ?").get(id) as Row | undefined;
    return row && toRecord(row);
  }

  ofRun(runId: number): JobRecord[] {
    return (this.#db.prepare("SELECT * FROM jobs WHERE run_id = ? ORDER BY id").all(runId) as Row[]).map(toRecord);
  }

  /** Oldest first, like Gitea's pick order. */
  waiting(): QueuedJob[] {
    const rows = this.#db
      .prepare("SELECT id, runs_on, queued FROM jobs WHERE status = 'waiting' AND task_id IS NULL ORDER BY queued, id")
      .all() as { id: number; runs_on: string; queued: number }[];
    return rows.map((r) => ({ id: r.id, runsOn: JSON.parse(r.runs_on) as string[], queued: r.queued }));
  }

  countWaiting(): number {
    return (this.#db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE status = 'waiting'").get() as { n: number }).n;
  }

  /** Optimistic claim: false when another picker got there first. Call setTask in the same transaction. */
  claim(id: number, runnerId: number, now: number): boolean {
    const info = this.#db
      .prepare(
        `UPDATE jobs SET status = 'running', runner_id = ?, started = ?, updated = ?
         WHERE id = ? AND status = 'waiting' AND task_id IS NULL`,
      )
      .run(runnerId, now, now, id);
    return info.changes === 1;
  }

  /** Undoes a claim whose Task never reached the runner; `queued` is kept so the job keeps its place. */
  unclaim(id: number, taskId: number, now: number): boolean {
    const info = this.#db
      .prepare(
        `UPDATE jobs SET status = 'waiting', runner_id = NULL, task_id = NULL, started = NULL, updated = ?
         WHERE id = ? AND task_id = ? AND status = 'running'`,
      )
      .run(now, id, taskId);
    return info.changes === 1;
  }

  /**
   * A lost job queued again as its next attempt: back to the queue at its old place (`queued` kept), the
   * lost task stays in the tasks table with its log. False when the job moved on.
   */
  requeue(id: number, taskId: number, now: number): boolean {
    const info = this.#db
      .prepare(
        `UPDATE jobs SET status = 'waiting', runner_id = NULL, task_id = NULL, started = NULL, updated = ?,
           attempt = attempt + 1
         WHERE id = ? AND task_id = ? AND status = 'running'`,
      )
      .run(now, id, taskId);
    return info.changes === 1;
  }

  setTask(id: number, taskId: number): void {
    this.#db.prepare("UPDATE jobs SET task_id = ? WHERE id = ?").run(taskId, id);
  }

  /** Moves a job to a new status; `stopped` is set for final ones, `queued` when it becomes waiting. */
  setStatus(id: number, status: JobStatus, now: number): void {
    this.#db
      .prepare(
        `UPDATE jobs SET status = ?, updated = ?,
           queued = CASE WHEN ? THEN ? ELSE queued END,
           stopped = CASE WHEN ? THEN ? ELSE stopped END
         WHERE id = ?`,
      )
      .run(status, now, status === "waiting" ? 1 : 0, now, isFinal(status) ? 1 : 0, now, id);
  }

  setUnservable(id: number, reason: string): void {
    this.#db.prepare("UPDATE jobs SET unservable = ? WHERE id = ?").run(reason, id);
  }
}
