import type { Database } from "better-sqlite3";
import type { StepRecord, StepStatus, TaskRecord, TaskStatus } from "./records.js";

interface TaskRow {
  id: number;
  job_id: number;
  runner_id: number;
  token_hash: string;
  token_salt: string;
  token_last_eight: string;
  status: TaskStatus;
  attempt: number;
  request_key: string | null;
  log_length: number;
  log_archived: number;
  started: number;
  stopped: number | null;
  updated: number;
}

interface StepRow {
  task_id: number;
  idx: number;
  name: string;
  status: StepStatus;
  log_index: number;
  log_length: number;
  started: number | null;
  stopped: number | null;
}

const toTask = (r: TaskRow): TaskRecord => ({
  id: r.id,
  jobId: r.job_id,
  runnerId: r.runner_id,
  tokenHash: r.token_hash,
  tokenSalt: r.token_salt,
  tokenLastEight: r.token_last_eight,
  status: r.status,
  attempt: r.attempt,
  requestKey: r.request_key,
  logLength: r.log_length,
  logArchived: r.log_archived === 1,
  started: r.started,
  stopped: r.stopped,
  updated: r.updated,
});

const toStep = (r: StepRow): StepRecord => ({
  taskId: r.task_id,
  index: r.idx,
  name: r.name,
  status: r.status,
  logIndex: r.log_index,
  logLength: r.log_length,
  started: r.started,
  stopped: r.stopped,
});

export interface NewTask {
  jobId: number;
  runnerId: number;
  tokenHash: string;
  tokenSalt: string;
  tokenLastEight: string;
  stepNames: string[];
  attempt: number;
  requestKey?: string;
}

export interface StepUpdate {
  index: number;
  status: StepStatus;
  logIndex: number;
  logLength: number;
  started: number | null;
  stopped: number | null;
}

/** Tasks, their step rows and their outputs. Task ids are AUTOINCREMENT: never reused (Gitea relies on it). */
export class TaskStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  insert(t: NewTask, now: number): number {
    const info = this.#db
      .prepare(
        `INSERT INTO tasks (job_id, runner_id, token_hash, token_salt, token_last_eight, status, attempt, request_key,
           started, updated)
         VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)`,
      )
      .run(t.jobId, t.runnerId, t.tokenHash, t.tokenSalt, t.tokenLastEight, t.attempt, t.requestKey ?? null, now, now);
    const id = Number(info.lastInsertRowid);
    const step = this.#db.prepare("INSERT INTO task_steps (task_id, idx, name, status) VALUES (?, ?, ?, 'waiting')");
    t.stepNames.forEach((name, i) => {
      step.run(id, i, name);
    });
    return id;
  }

  get(id: number): TaskRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM tasks WHERE id = ?").get(id) as TaskRow | undefined;
    return row && toTask(row);
  }

  /** Candidates for a task token; the caller verifies the hash. */
  byTokenLastEight(lastEight: string): TaskRecord[] {
    return (this.#db.prepare("SELECT * FROM tasks WHERE token_last_eight = ?").all(lastEight) as TaskRow[]).map(toTask);
  }

  /** Running tasks not heard from since `before` (candidates for the lease check). */
  staleRunning(before: number): TaskRecord[] {
    return (
      this.#db.prepare("SELECT * FROM tasks WHERE status = 'running' AND updated < ?").all(before) as TaskRow[]
    ).map(toTask);
  }

  /** The running tasks a FetchTask with this request key was given (Forgejo's retry key). */
  runningByRequestKey(runnerId: number, requestKey: string): TaskRecord[] {
    return (
      this.#db
        .prepare("SELECT * FROM tasks WHERE runner_id = ? AND request_key = ? AND status = 'running' ORDER BY id")
        .all(runnerId, requestKey) as TaskRow[]
    ).map(toTask);
  }

  /** Every task a job had, oldest attempt first. */
  ofJob(jobId: number): TaskRecord[] {
    return (this.#db.prepare("SELECT * FROM tasks WHERE job_id = ? ORDER BY id").all(jobId) as TaskRow[]).map(toTask);
  }

  /** A recovered task gets a fresh token: the first one was only ever stored hashed. */
  setToken(id: number, t: { tokenHash: string; tokenSalt: string; tokenLastEight: string }): void {
    this.#db
      .prepare("UPDATE tasks SET token_hash = ?, token_salt = ?, token_last_eight = ? WHERE id = ?")
      .run(t.tokenHash, t.tokenSalt, t.tokenLastEight, id);
  }

  /** True when the runner has a task that is not final (an ephemeral runner gets exactly one). */
  ofRunner(runnerId: number): TaskRecord[] {
    return (this.#db.prepare("SELECT * FROM tasks WHERE runner_id = ?").all(runnerId) as TaskRow[]).map(toTask);
  }

  heartbeat(id: number, now: number): void {
    this.#db.prepare("UPDATE tasks SET updated = ? WHERE id = ?").run(now, id);
  }

  finish(id: number, status: TaskStatus, stopped: number, now: number): void {
    this.#db
      .prepare("UPDATE tasks SET status = ?, stopped = ?, updated = ? WHERE id = ?")
      .run(status, stopped, now, id);
  }

  setLogLength(id: number, length: number, archived: boolean): void {
    this.#db
      .prepare("UPDATE tasks SET log_length = ?, log_archived = ? WHERE id = ?")
      .run(length, archived ? 1 : 0, id);
  }

  steps(taskId: number): StepRecord[] {
    return (this.#db.prepare("SELECT * FROM task_steps WHERE task_id = ? ORDER BY idx").all(taskId) as StepRow[]).map(
      toStep,
    );
  }

  updateStep(taskId: number, s: StepUpdate): void {
    this.#db
      .prepare(
        `UPDATE task_steps SET status = ?, log_index = ?, log_length = ?, started = ?, stopped = ?
         WHERE task_id = ? AND idx = ?`,
      )
      .run(s.status, s.logIndex, s.logLength, s.started, s.stopped, taskId, s.index);
  }

  /** Steps that never finished end with the task's result (Gitea's StopTask marks them cancelled). */
  closeOpenSteps(taskId: number, status: StepStatus, now: number): void {
    this.#db
      .prepare(
        `UPDATE task_steps SET status = ?, stopped = COALESCE(stopped, ?)
         WHERE task_id = ? AND status IN ('waiting', 'running')`,
      )
      .run(status, now, taskId);
  }

  /** First value wins: a key already stored keeps its value. */
  addOutput(taskId: number, key: string, value: string): void {
    this.#db
      .prepare("INSERT OR IGNORE INTO task_outputs (task_id, key, value) VALUES (?, ?, ?)")
      .run(taskId, key, value);
  }

  outputs(taskId: number): Record<string, string> {
    const rows = this.#db.prepare("SELECT key, value FROM task_outputs WHERE task_id = ? ORDER BY key").all(taskId) as {
      key: string;
      value: string;
    }[];
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }
}
