export type WakeReason = "woken" | "timeout" | "aborted";

/**
 * Wake-ups for held-open FetchTask calls: a fetch that found nothing parks here and is released as soon
 * as a job may have become pickable, so pickup latency is one event-loop turn instead of a poll interval.
 * `wake` releases every parked fetch; each retries the pick and the losers park again.
 */
export class WakeQueue {
  readonly #waiters = new Set<(reason: WakeReason) => void>();

  get size(): number {
    return this.#waiters.size;
  }

  wait(ms: number, signal?: AbortSignal): Promise<WakeReason> {
    if (signal?.aborted) return Promise.resolve("aborted");
    if (ms <= 0) return Promise.resolve("timeout");
    return new Promise((resolve) => {
      const done = (reason: WakeReason) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.#waiters.delete(done);
        resolve(reason);
      };
      const onAbort = () => done("aborted");
      const timer = setTimeout(() => done("timeout"), ms);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.add(done);
    });
  }

  wake(): void {
    for (const done of [...this.#waiters]) done("woken");
  }
}
