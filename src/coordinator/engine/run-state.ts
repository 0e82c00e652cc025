import type { RunStatus } from "../store/records.js";
import { type TransitionTable, transitionsOf } from "./transition-table.js";

export const RUN_STATUSES: readonly RunStatus[] = ["waiting", "running", "success", "failure", "cancelled", "skipped"];

const RESULTS = ["success", "failure", "cancelled", "skipped"] as const;

/**
 * Life of a run: `waiting` until a job is picked or ends, `running` until every job is final, then the
 * aggregate of its jobs' results (status.ts). A run whose jobs all end before any runs goes straight to
 * its result. Results are final.
 */
export const RUN_TRANSITIONS: TransitionTable<RunStatus> = {
  waiting: ["running", ...RESULTS],
  running: [...RESULTS],
  success: [],
  failure: [],
  cancelled: [],
  skipped: [],
};

const moves = transitionsOf("run", RUN_TRANSITIONS);

export const canMoveRun: (from: RunStatus, to: RunStatus) => boolean = moves.can;

/** Returns `to`, or throws when the move is not in the table (an engine bug, never a user error). */
export const moveRun: (from: RunStatus, to: RunStatus) => RunStatus = moves.move;
