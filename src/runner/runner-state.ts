import { PoolError } from "../lib/index.js";

/**
 * Life of one runner instance: `starting` (declaring) → `idle` ⇄ `busy` (≥ 1 task running) →
 * `draining` (no more fetching, tasks finishing) → `stopped`.
 */
export type RunnerState = "starting" | "idle" | "busy" | "draining" | "stopped";

export const RUNNER_STATES: readonly RunnerState[] = ["starting", "idle", "busy", "draining", "stopped"];

const NEXT: Record<RunnerState, readonly RunnerState[]> = {
  // starting → stopped: the forge refused the runner before it ever polled.
  starting: ["idle", "draining", "stopped"],
  idle: ["busy", "draining"],
  busy: ["idle", "draining"],
  draining: ["stopped"],
  stopped: [],
};

export function canTransition(from: RunnerState, to: RunnerState): boolean {
  return NEXT[from].includes(to);
}

/** Returns `to`, or throws when the move is not in the table (a bug, never a user error). */
export function transition(from: RunnerState, to: RunnerState): RunnerState {
  if (!canTransition(from, to)) {
    throw new PoolError("INTERNAL", `[runner-state] cannot move a runner from "${from}" to "${to}"`);
  }
  return to;
}
