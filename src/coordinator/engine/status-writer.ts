import type { Store } from "../store/db.js";
import type { NewJob } from "../store/jobs.js";
import type { JobStatus, RunStatus } from "../store/records.js";
import type { Outbox } from "./events.js";
import { moveJob } from "./job-state.js";
import { moveRun } from "./run-state.js";

/** Enough of a job to move it: its row and its run. */
export interface JobRef {
  id: number;
  runId: number;
  status: JobStatus;
}

/**
 * The only writer of job and run status: every change is checked against the transition tables
 * (job-state.ts, run-state.ts) and announced through the outbox. Call it inside a transaction.
 */
export class StatusWriter {
  readonly #store: Store;
  readonly #outbox: Outbox;

  constructor(store: Store, outbox: Outbox) {
    this.#store = store;
    this.#outbox = outbox;
  }

  /** A new job starts blocked or waiting (the type allows nothing else). */
  insertJob(job: NewJob, now: number): number {
    const id = this.#store.jobs.insert(job, now);
    this.#outbox.job({ jobId: id, runId: job.runId, status: job.status });
    return id;
  }

  /** Moves `job` to `to` and updates `job.status` in place. */
  moveJob(job: JobRef, to: JobStatus, now: number): void {
    this.#store.jobs.setStatus(job.id, moveJob(job.status, to), now);
    job.status = to;
    this.#outbox.job({ jobId: job.id, runId: job.runId, status: to });
  }

  /** waiting -> running for `runnerId`; false when another picker claimed the job first. */
  claim(job: Omit<JobRef, "status">, runnerId: number, now: number): boolean {
    moveJob("waiting", "running");
    if (!this.#store.jobs.claim(job.id, runnerId, now)) return false;
    this.#outbox.job({ jobId: job.id, runId: job.runId, status: "running" });
    return true;
  }

  /** running -> waiting for a claim whose Task never reached its runner; false when it moved on. */
  unclaim(job: Omit<JobRef, "status">, taskId: number, now: number): boolean {
    moveJob("running", "waiting");
    if (!this.#store.jobs.unclaim(job.id, taskId, now)) return false;
    this.#outbox.job({ jobId: job.id, runId: job.runId, status: "waiting" });
    return true;
  }

  /** running -> waiting as the job's next attempt, after its runner was lost; false when it moved on. */
  requeue(job: Omit<JobRef, "status">, taskId: number, now: number): boolean {
    moveJob("running", "waiting");
    if (!this.#store.jobs.requeue(job.id, taskId, now)) return false;
    this.#outbox.job({ jobId: job.id, runId: job.runId, status: "waiting" });
    return true;
  }

  /** Announces a run created `waiting`. */
  runCreated(runId: number): void {
    this.#outbox.run({ runId, status: "waiting" });
  }

  moveRun(run: { id: number; status: RunStatus }, to: RunStatus, now: number): void {
    this.#store.runs.setStatus(run.id, moveRun(run.status, to), now);
    run.status = to;
    this.#outbox.run({ runId: run.id, status: to });
  }
}
