import type { Task } from "../../protocol/index.js";
import type { Store } from "../store/db.js";
import type { HashedSecret, JobRecord, RunnerRecord } from "../store/records.js";
import type { Routing } from "./routing.js";
import type { RunEngine } from "./run-engine.js";
import { buildTaskMessage } from "./task-message.js";

/** Where task tokens come from (hashed ahead of time by the runner service's token pool). */
export interface TaskTokenSource {
  take(): HashedSecret & { token: string };
}

export interface PickerOptions {
  store: Store;
  engine: RunEngine;
  tokens: TaskTokenSource;
  serverUrl: () => string;
  defaultActionsUrl: string;
  /** Label cover plus the pool's guarded labels: a privileged or secret-holding role takes only jobs that name it. */
  routes: Routing;
}

export interface Picked {
  task: Task;
  jobId: number;
  runId: number;
}

/**
 * Gitea's PickTask: the oldest waiting job whose runs-on routes to the runner (its labels cover it and, on a
 * guarded runner, it names a guarded label) is claimed, a task with
 * a fresh token and one step row per payload step is created, and the Task message is built, all in one
 * transaction.
 */
export class Picker {
  readonly #o: PickerOptions;

  constructor(options: PickerOptions) {
    this.#o = options;
  }

  /** `requestKey` (Forgejo's `x-runner-request-key`) is kept on the task so a repeated fetch can recover it. */
  pick(runner: RunnerRecord, requestKey?: string): Picked | undefined {
    const { store, engine } = this.#o;
    // An ephemeral runner gets exactly one task (Gitea 1.24).
    if (runner.ephemeral && store.tasks.ofRunner(runner.id).length > 0) return undefined;
    return engine.atomically(() => {
      for (const candidate of store.jobs.waiting()) {
        if (!this.#o.routes(candidate.runsOn, runner.labels)) continue;
        const now = Date.now();
        const claimed = store.jobs.get(candidate.id)!;
        if (!engine.status.claim(claimed, runner.id, now)) continue;
        const job = store.jobs.get(candidate.id)!;
        const run = store.runs.get(job.runId)!;
        const token = this.#o.tokens.take();
        const taskId = store.tasks.insert(
          {
            jobId: job.id,
            runnerId: runner.id,
            tokenHash: token.hash,
            tokenSalt: token.salt,
            tokenLastEight: token.lastEight,
            stepNames: job.stepNames,
            attempt: job.attempt,
            ...(requestKey === undefined ? {} : { requestKey }),
          },
          now,
        );
        store.jobs.setTask(job.id, taskId);
        if (run.status === "waiting") engine.status.moveRun(run, "running", now);
        return this.#message({ ...job, taskId }, taskId, token.token);
      }
      return undefined;
    });
  }

  /**
   * Forgejo's RecoverTasks: a FetchTask repeated with the request key of one whose answer was lost gets
   * the task that answer carried, with a fresh token (only a hash of the first one was kept, and the
   * runner never saw it). Nothing when that task already ended (lost, cancelled) or the key is new.
   */
  recover(runner: RunnerRecord, requestKey: string): Picked | undefined {
    const { store, engine } = this.#o;
    return engine.atomically(() => {
      for (const task of store.tasks.runningByRequestKey(runner.id, requestKey)) {
        const job = store.jobs.get(task.jobId);
        if (job?.status !== "running" || job.taskId !== task.id) continue;
        const token = this.#o.tokens.take();
        store.tasks.setToken(task.id, {
          tokenHash: token.hash,
          tokenSalt: token.salt,
          tokenLastEight: token.lastEight,
        });
        store.tasks.heartbeat(task.id, Date.now());
        return this.#message(job, task.id, token.token);
      }
      return undefined;
    });
  }

  #message(job: JobRecord, taskId: number, token: string): Picked {
    const { store, engine } = this.#o;
    const run = store.runs.get(job.runId)!;
    const task = buildTaskMessage({
      store,
      run,
      job,
      jobsOfRun: store.jobs.ofRun(run.id),
      serverUrl: this.#o.serverUrl(),
      defaultActionsUrl: this.#o.defaultActionsUrl,
      taskId,
      token,
      secrets: engine.secretsOf(run.id),
    });
    return { task, jobId: job.id, runId: run.id };
  }

  /**
   * Gives a claimed job back to the queue when its Task could not reach the runner (the fetch was aborted
   * after the pick). The task row stays, cancelled, so its id is never reused and a late UpdateTask for it
   * learns it is over.
   */
  release(picked: Picked): void {
    const { store, engine } = this.#o;
    engine.atomically(() => {
      const now = Date.now();
      const job = { id: picked.jobId, runId: picked.runId };
      if (!engine.status.unclaim(job, Number(picked.task.id), now)) return;
      store.tasks.finish(Number(picked.task.id), "cancelled", now, now);
      store.counters.bumpTasksVersion();
    });
  }
}
