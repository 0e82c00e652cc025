import { PoolError } from "../../lib/index.js";
import type { RunStatus } from "../store/records.js";

export const RUN_STATUSES: readonly RunStatus[] = ["waiting", "running", "success", "failure", "cancelled", "skipped"];

const RESULTS = ["success", "failure", "cancelled", "skipped"] as const;

/**
 * Life of a run: `waiting` until a job is picked or ends, `running` until every job is final, then the
 * aggregate of its jobs' results (status.ts). A run whose jobs all end before any runs goes straight to
 * its result. Results are final.
 */
export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  waiting: ["running", ...RESULTS],
  running: [...RESULTS],
  success: [],
  failure: [],
  cancelled: [],
  skipped: [],
};

export function canMoveRun(from: RunStatus, to: RunStatus): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}

/** Returns `to`, or throws when the move is not in the table (an engine bug, never a user error). */
export function moveRun(from: RunStatus, to: RunStatus): RunStatus {
  if (!canMoveRun(from, to)) {
    throw new PoolError("INTERNAL", `[run-state] cannot move a run from "${from}" to "${to}"`);
  }
  return to;
}
