import { PoolError } from "../../lib/index.js";
import type { Store } from "../store/db.js";
import { isFinal } from "../store/records.js";
import type { CoordinatorEvents, RunEvent } from "./events.js";
import type { Sweeper } from "./sweeper.js";
import { type RunView, runView } from "./views.js";

/** Promises of runs becoming final, all rejected when the coordinator closes. */
export class RunWaiters {
  readonly #store: Store;
  readonly #events: CoordinatorEvents;
  readonly #sweeper: Sweeper;
  readonly #waiting = new Set<(err: Error) => void>();

  constructor(store: Store, events: CoordinatorEvents, sweeper: Sweeper) {
    this.#store = store;
    this.#events = events;
    this.#sweeper = sweeper;
  }

  /** Resolves when the run is final; rejects when `signal` aborts or `failAll` is called. */
  wait(runId: number, signal?: AbortSignal): Promise<RunView> {
    const store = this.#store;
    return new Promise<RunView>((resolve, reject) => {
      const run = store.runs.get(runId);
      if (!run) {
        reject(new PoolError("NOT_FOUND", `run ${runId} does not exist: pass an id from createRun`));
        return;
      }
      if (isFinal(run.status)) {
        resolve(runView(store, run));
        return;
      }
      const cleanup = () => {
        this.#events.off("run", onRun);
        signal?.removeEventListener("abort", onAbort);
        if (this.#waiting.delete(fail)) this.#sweeper.release();
      };
      const fail = (err: Error) => {
        cleanup();
        reject(err);
      };
      const onRun = (e: RunEvent) => {
        if (e.runId !== runId || !isFinal(e.status)) return;
        cleanup();
        resolve(runView(store, store.runs.get(runId)!));
      };
      const onAbort = () => fail(new PoolError("TASK_CANCELLED", `waiting for run ${runId} was cancelled`));
      if (signal?.aborted) {
        onAbort();
        return;
      }
      this.#events.on("run", onRun);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.add(fail);
      // Only the sweep may end this run (unservable, lost): keep the process alive for it meanwhile.
      this.#sweeper.hold();
    });
  }

  failAll(err: Error): void {
    for (const fail of [...this.#waiting]) fail(err);
  }
}
