import type { Logger } from "../../lib/index.js";
import { labelsCover } from "../../workflow/index.js";
import type { Store } from "../store/db.js";
import type { RunnerRecord } from "../store/records.js";
import type { Routing } from "./routing.js";
import type { RunEngine } from "./run-engine.js";

/** `no runner serves runs-on [a, b]; runners: name1 [l1, l2], name2 [...]` */
export function unservableMessage(runsOn: readonly string[], runners: readonly RunnerRecord[]): string {
  const list = runners.length === 0 ? "none" : runners.map((r) => `${r.name} [${r.labels.join(", ")}]`).join(", ");
  return `no runner serves runs-on [${runsOn.join(", ")}]; runners: ${list}`;
}

/**
 * Fails waiting jobs that no registered runner's labels can serve once they have been unservable for
 * `timeoutMs`, so a run never waits forever on a label typo. Runner liveness is not considered: an
 * offline runner with the right labels may still come back.
 */
export class UnservableWatch {
  readonly #store: Store;
  readonly #engine: RunEngine;
  readonly #timeoutMs: number;
  readonly #logger: Logger;
  readonly #routes: Routing;
  /** Job id -> when it was first seen unservable. */
  readonly #since = new Map<number, number>();

  constructor(store: Store, engine: RunEngine, timeoutMs: number, logger: Logger, routes: Routing) {
    this.#store = store;
    this.#engine = engine;
    this.#timeoutMs = timeoutMs;
    this.#logger = logger;
    this.#routes = routes;
  }

  /** Why the job cannot be served now (waiting jobs), or why it was failed; undefined when servable. */
  reason(jobId: number): string | undefined {
    const job = this.#store.jobs.get(jobId);
    if (!job) return undefined;
    if (job.unservable !== null) return job.unservable;
    if (job.status !== "waiting") return undefined;
    const runners = this.#store.runners.list();
    return runners.some((r) => this.#routes(job.runsOn, r.labels)) ? undefined : this.#message(job.runsOn, runners);
  }

  /** The unservable message, saying so when only guarded runners' labels cover the job. */
  #message(runsOn: readonly string[], runners: readonly RunnerRecord[]): string {
    const guarded = runners.some((r) => labelsCover(runsOn, r.labels));
    const why = guarded
      ? "; the runners whose labels cover it belong to privileged or secret-holding roles, which take only jobs whose runs-on names one of their own labels"
      : "";
    return `${unservableMessage(runsOn, runners)}${why}`;
  }

  check(now = Date.now()): void {
    if (this.#timeoutMs <= 0) return;
    const runners = this.#store.runners.list();
    const waiting = this.#store.jobs.waiting();
    const seen = new Set<number>();
    for (const job of waiting) {
      seen.add(job.id);
      if (runners.some((r) => this.#routes(job.runsOn, r.labels))) {
        this.#since.delete(job.id);
        continue;
      }
      const since = this.#since.get(job.id) ?? now;
      this.#since.set(job.id, since);
      if (now - since < this.#timeoutMs) continue;
      const message = this.#message(job.runsOn, runners);
      this.#logger.warn({ job: job.id }, message);
      this.#engine.failJob(job.id, message, true);
      this.#since.delete(job.id);
    }
    for (const id of this.#since.keys()) if (!seen.has(id)) this.#since.delete(id);
  }
}
