import type { Database } from "better-sqlite3";
import type { LogRowRecord } from "./records.js";

/**
 * Log rows the runner streams (task-wide 0-based index, one row = one display line) and messages the
 * coordinator itself writes into a job's log (why a job was failed, skipped or cancelled server-side).
 */
export class LogStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  append(taskId: number, firstIndex: number, rows: { time: number; content: string }[]): void {
    const insert = this.#db.prepare("INSERT INTO log_rows (task_id, idx, time, content) VALUES (?, ?, ?, ?)");
    rows.forEach((r, i) => {
      insert.run(taskId, firstIndex + i, r.time, r.content);
    });
  }

  rows(taskId: number): LogRowRecord[] {
    return this.#db
      .prepare('SELECT idx AS "index", time, content FROM log_rows WHERE task_id = ? ORDER BY idx')
      .all(taskId) as LogRowRecord[];
  }

  count(taskId: number): number {
    return (this.#db.prepare("SELECT COUNT(*) AS n FROM log_rows WHERE task_id = ?").get(taskId) as { n: number }).n;
  }

  addMessage(jobId: number, time: number, content: string): void {
    this.#db.prepare("INSERT INTO job_messages (job_id, time, content) VALUES (?, ?, ?)").run(jobId, time, content);
  }

  messages(jobId: number): { time: number; content: string }[] {
    return this.#db.prepare("SELECT time, content FROM job_messages WHERE job_id = ? ORDER BY id").all(jobId) as {
      time: number;
      content: string;
    }[];
  }
}
