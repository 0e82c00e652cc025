import type { Logger } from "../../lib/index.js";
import { errorMessage, PoolError } from "../../lib/index.js";
import type { PlannedJob, TriggerEvent } from "../../workflow/index.js";
import { evaluateCondition } from "../../workflow/index.js";
import type { Store } from "../store/db.js";
import type { JobRecord, JobResult, JobStatus, RunRecord, TaskRecord } from "../store/records.js";
import { isFinal } from "../store/records.js";
import type { Outbox } from "./events.js";
import { githubContext, runContextInput } from "./github-context.js";
import { checkNeeds, collectNeeds, needsDone } from "./needs.js";
import { stepNamesOf } from "./payload.js";
import { runStatusOf } from "./status.js";
import { StatusWriter } from "./status-writer.js";

export interface CreateRunInput {
  repo: string;
  workflowFile: string;
  workflowName: string;
  event: TriggerEvent;
  jobs: PlannedJob[];
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  actor?: string;
}

export interface CreatedRun {
  runId: number;
  /** Database ids of the jobs, in the order of `input.jobs`. */
  jobIds: number[];
}

export interface RunEngineOptions {
  store: Store;
  outbox: Outbox;
  logger: Logger;
  /** Current instance URL with trailing slash, for the `github` context of `if:` evaluation. */
  serverUrl: () => string;
}

/**
 * Runs -> jobs state machine: blocked jobs are released or skipped when their needs end, run status
 * follows its jobs, cancellation ends tasks server-side. Every public method is one transaction; events
 * go out through the outbox after commit.
 */
export class RunEngine {
  readonly #o: RunEngineOptions;
  /** Secrets live only in memory: never written to the database file. */
  readonly #secrets = new Map<number, Record<string, string>>();
  /** The only way job and run status change. */
  readonly status: StatusWriter;

  constructor(options: RunEngineOptions) {
    this.#o = options;
    this.status = new StatusWriter(options.store, options.outbox);
  }

  /** Where events of a transaction wait for its commit. */
  get outbox(): Outbox {
    return this.#o.outbox;
  }

  secretsOf(runId: number): Record<string, string> {
    return this.#secrets.get(runId) ?? {};
  }

  /** Runs `fn` in a transaction, then delivers its events (or drops them on rollback). Re-entrant. */
  atomically<T>(fn: () => T): T {
    const { store, outbox } = this.#o;
    if (store.db.inTransaction) return fn();
    let result: T;
    try {
      result = store.transaction(fn);
    } catch (err) {
      outbox.discard();
      throw err;
    }
    outbox.flush();
    return result;
  }

  createRun(input: CreateRunInput): CreatedRun {
    if (input.jobs.length === 0) {
      throw new PoolError("INVALID_ARGUMENT", `run of "${input.workflowFile}" has no jobs: plan at least one job`);
    }
    checkNeeds(input.jobs);
    const stepNames = input.jobs.map((j) => stepNamesOf(j.payload, j.jobId));
    const { store, outbox } = this.#o;
    const created = this.atomically(() => {
      const now = Date.now();
      const runId = store.runs.insert(
        {
          repo: input.repo,
          workflowFile: input.workflowFile,
          workflowName: input.workflowName,
          event: input.event.name,
          eventJson: JSON.stringify(input.event),
          ref: input.event.ref,
          sha: input.event.sha,
          inputs: input.event.inputs ?? {},
          vars: input.vars ?? {},
          actor: input.actor ?? "runnerpool",
        },
        now,
      );
      const jobIds = input.jobs.map((j, i) => {
        return this.status.insertJob(
          {
            runId,
            jobId: j.jobId,
            name: j.name,
            matrix: j.matrix,
            runsOn: j.runsOn,
            needs: j.needs,
            ifExpr: j.if,
            payload: j.payload,
            stepNames: stepNames[i] ?? [],
            status: j.needs.length === 0 ? "waiting" : "blocked",
          },
          now,
        );
      });
      this.status.runCreated(runId);
      if (jobIds.length > 0 && input.jobs.some((j) => j.needs.length === 0)) {
        store.counters.bumpTasksVersion();
        outbox.wake();
      }
      return { runId, jobIds };
    });
    if (input.secrets) this.#secrets.set(created.runId, { ...input.secrets });
    return created;
  }

  /** A task reached a final result (runner report or reaper); its job follows. */
  finishTask(task: TaskRecord, status: JobResult, stopped: number, message?: string): void {
    const { store } = this.#o;
    this.atomically(() => {
      const now = Date.now();
      store.tasks.finish(task.id, status, stopped, now);
      const job = store.jobs.get(task.jobId);
      if (!job) return;
      if (message !== undefined) store.logs.addMessage(job.id, now, message);
      if (isFinal(job.status)) return;
      this.#closeSteps(task, status, now);
      this.status.moveJob(job, status, now);
      this.#settle(job.runId, now);
    });
  }

  /**
   * A running task whose runner is gone (lease over, or the runner came back without it): the task ends
   * as failure with `reason` in the job's log, and the job runs again as its next attempt while it has
   * had at most `retries` attempts after the first, else it fails. The lost task keeps its log rows.
   */
  loseTask(task: TaskRecord, reason: string, retries: number): "requeued" | "failed" | "ended" {
    const { store, outbox } = this.#o;
    return this.atomically(() => {
      const current = store.tasks.get(task.id);
      if (!current || isFinal(current.status)) return "ended";
      const now = Date.now();
      store.tasks.finish(task.id, "failure", now, now);
      this.#closeSteps(current, "failure", now);
      const job = store.jobs.get(task.jobId);
      if (job?.status !== "running" || job.taskId !== task.id) return "ended";
      store.logs.addMessage(job.id, now, reason);
      if (job.attempt <= retries && this.status.requeue(job, task.id, now)) {
        store.logs.addMessage(job.id, now, `job queued again as attempt ${job.attempt + 1} (retry_on_loss ${retries})`);
        store.counters.bumpTasksVersion();
        outbox.wake();
        return "requeued";
      }
      const why = retries === 0 ? "retry_on_loss is 0" : `attempt ${job.attempt} of ${retries + 1}`;
      store.logs.addMessage(job.id, now, `job failed: its runner was lost (${why})`);
      this.status.moveJob(job, "failure", now);
      this.#settle(job.runId, now);
      return "failed";
    });
  }

  /** Fails a job that never got a task (unservable) with a message in its log. */
  failJob(jobId: number, message: string, unservable: boolean): boolean {
    const { store } = this.#o;
    return this.atomically(() => {
      const job = store.jobs.get(jobId);
      if (job?.status !== "waiting") return false;
      const now = Date.now();
      store.logs.addMessage(jobId, now, message);
      if (unservable) store.jobs.setUnservable(jobId, message);
      this.status.moveJob(job, "failure", now);
      this.#settle(job.runId, now);
      return true;
    });
  }

  cancelJob(jobId: number): boolean {
    return this.atomically(() => {
      const job = this.#o.store.jobs.get(jobId);
      if (!job || isFinal(job.status)) return false;
      const now = Date.now();
      this.#cancel(job, now);
      this.#settle(job.runId, now);
      return true;
    });
  }

  /** Cancels every unfinished job; running ones learn it from their next UpdateTask response. */
  cancelRun(runId: number): boolean {
    const { store } = this.#o;
    return this.atomically(() => {
      const run = store.runs.get(runId);
      if (!run) return false;
      store.runs.markCancelled(runId);
      const now = Date.now();
      const open = store.jobs.ofRun(runId).filter((j) => !isFinal(j.status));
      for (const job of open) this.#cancel(job, now);
      this.#settle(runId, now);
      return open.length > 0;
    });
  }

  #cancel(job: JobRecord, now: number): void {
    const { store } = this.#o;
    if (job.status === "running" && job.taskId !== null) {
      const task = store.tasks.get(job.taskId);
      if (task && !isFinal(task.status)) {
        store.tasks.finish(task.id, "cancelled", now, now);
        this.#closeSteps(task, "cancelled", now);
      }
      store.logs.addMessage(job.id, now, "job cancelled while running");
    } else {
      store.logs.addMessage(job.id, now, `job cancelled while ${job.status}`);
    }
    this.status.moveJob(job, "cancelled", now);
  }

  /**
   * Steps the runner left open when the task ended (act_runner closes them itself, so this is for
   * cancellation and reapers): a started step ends like the task if it succeeded, else cancelled; a step
   * that never started is skipped after success or a skip, else cancelled (Gitea's StopTask).
   */
  #closeSteps(task: TaskRecord, taskStatus: JobResult, now: number): void {
    const { store, outbox } = this.#o;
    const open = store.tasks.steps(task.id).filter((s) => s.status === "waiting" || s.status === "running");
    for (const s of open) {
      const ok = taskStatus === "success" || taskStatus === "skipped";
      const final: JobResult =
        s.status === "running" ? (taskStatus === "success" ? "success" : "cancelled") : ok ? "skipped" : "cancelled";
      store.tasks.updateStep(task.id, { ...s, status: final, stopped: s.stopped ?? now });
      outbox.step({ jobId: task.jobId, taskId: task.id, index: s.index, status: final });
    }
  }

  /** Releases or skips blocked jobs whose needs are final (to a fixed point), then updates the run. */
  #settle(runId: number, now: number): void {
    const { store, outbox } = this.#o;
    const run = store.runs.get(runId);
    if (!run) return;
    const jobs = store.jobs.ofRun(runId);
    let released = false;
    for (let changed = true; changed; ) {
      changed = false;
      for (const job of jobs) {
        if (job.status !== "blocked" || !needsDone(job, jobs)) continue;
        const next = this.#decide(run, job, jobs, now);
        this.status.moveJob(job, next, now);
        if (next === "waiting") released = true;
        changed = true;
      }
    }
    if (released || (jobs.some((j) => isFinal(j.status)) && store.jobs.countWaiting() > 0)) {
      store.counters.bumpTasksVersion();
      outbox.wake();
    }
    const status = runStatusOf(jobs);
    if (status !== run.status) this.status.moveRun(run, status, now);
    if (isFinal(status)) this.#secrets.delete(runId);
  }

  /** Evaluates a released job's `if:` the way GitHub does for jobs with needs. */
  #decide(run: RunRecord, job: JobRecord, jobs: readonly JobRecord[], now: number): JobStatus {
    const { store } = this.#o;
    const needs = collectNeeds(store, job, jobs);
    const results = Object.values(needs).map((n) => n.result);
    const status = {
      success: () => results.every((r) => r === "success"),
      failure: () => results.includes("failure"),
      cancelled: () => run.cancelled,
    };
    const contexts = {
      github: githubContext(runContextInput(run, job, this.#o.serverUrl())),
      needs,
      vars: run.vars,
      inputs: run.inputs,
      matrix: job.matrix,
    };
    try {
      if (evaluateCondition(job.ifExpr, contexts, { status })) return "waiting";
      const why = job.ifExpr === undefined ? "a needed job did not succeed" : `if: ${String(job.ifExpr)} is false`;
      store.logs.addMessage(job.id, now, `job skipped: ${why}`);
      return "skipped";
    } catch (err) {
      store.logs.addMessage(job.id, now, `job failed: cannot evaluate if: ${errorMessage(err)}`);
      return "failure";
    }
  }
}
