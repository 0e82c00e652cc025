import { setTimeout as delay } from "node:timers/promises";
import { type ErrorCode, isPoolError, type Logger, PoolError } from "../lib/index.js";

/** Codes that will not change by asking again. Gitea reports most failures as `unknown` → FORGE_ERROR, so that one is retried. */
const FINAL_CODES: ReadonlySet<ErrorCode> = new Set([
  "FORGE_UNAUTHENTICATED",
  "FORGE_NOT_FOUND",
  "FORGE_INVALID_ARGUMENT",
  "FORGE_UNIMPLEMENTED",
]);

export function shouldRetry(err: unknown): boolean {
  return !(isPoolError(err) && FINAL_CODES.has(err.code));
}

export interface RetryOptions {
  /** What is being attempted, for logs ("final log upload"). */
  what: string;
  /** Ends all attempts. */
  signal: AbortSignal;
  /** Each attempt is cut after this long. */
  attemptTimeoutMs: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  logger: Logger;
}

/**
 * Calls `attempt` until it resolves, an error is not retryable, or `signal` ends; doubles the pause between
 * attempts. Throws the last error.
 */
export async function retry<T>(attempt: (signal: AbortSignal) => Promise<T>, options: RetryOptions): Promise<T> {
  let pause = options.firstDelayMs ?? 250;
  const maxPause = options.maxDelayMs ?? 4000;
  for (let n = 1; ; n++) {
    try {
      return await attempt(AbortSignal.any([options.signal, AbortSignal.timeout(options.attemptTimeoutMs)]));
    } catch (err) {
      if (!shouldRetry(err) || options.signal.aborted) throw err;
      options.logger.warn({ err: PoolError.from(err).message, attempt: n }, `${options.what} failed, retrying`);
    }
    if (!(await sleep(pause, options.signal))) {
      throw new PoolError("TASK_TIMEOUT", `${options.what} gave up: the time for it ran out`);
    }
    pause = Math.min(pause * 2, maxPause);
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export async function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await delay(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
