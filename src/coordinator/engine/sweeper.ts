import type { Logger } from "../../lib/index.js";

/**
 * Runs the periodic checks (unservable jobs, leases of running tasks) every quarter of the shortest timeout
 * (10 ms to 5 s). The timer does not keep the process alive unless someone waits on a run that only a
 * sweep may end.
 */
export class Sweeper {
  readonly #timer: NodeJS.Timeout | undefined;
  #holds = 0;

  constructor(timeoutsMs: readonly number[], sweep: () => void, logger: Logger) {
    const periods = timeoutsMs.filter((n) => n > 0).map((n) => Math.min(5_000, Math.max(10, n / 4)));
    const guarded = () => {
      try {
        sweep();
      } catch (err) {
        logger.error({ err }, "coordinator sweep failed");
      }
    };
    this.#timer = periods.length > 0 ? setInterval(guarded, Math.min(...periods)) : undefined;
    this.#timer?.unref();
  }

  /** Keeps the process alive until `release`. */
  hold(): void {
    this.#holds++;
    this.#timer?.ref();
  }

  release(): void {
    this.#holds = Math.max(0, this.#holds - 1);
    if (this.#holds === 0) this.#timer?.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }
}
