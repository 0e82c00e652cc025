import type { JobStatus } from "../store/records.js";
import { type TransitionTable, transitionsOf } from "./transition-table.js";

export const JOB_STATUSES: readonly JobStatus[] = [
  "blocked",
  "waiting",
  "running",
  "success",
  "failure",
  "cancelled",
  "skipped",
];

/**
 * Life of a job (Gitea's): created `blocked` (needs not done) or `waiting` (queued); a blocked job is
 * released to `waiting`, or ends skipped (its `if:` is false), failed (its `if:` cannot be evaluated)
 * or cancelled. A runner claims a waiting job (`running`); a claim whose Task never reached the runner
 * goes back to `waiting`, and so does a job whose runner was lost while retry_on_loss allows another
 * attempt (else it fails). A waiting job fails when no runner can serve it. Results are final.
 */
export const JOB_TRANSITIONS: TransitionTable<JobStatus> = {
  blocked: ["waiting", "skipped", "failure", "cancelled"],
  waiting: ["running", "failure", "cancelled"],
  running: ["waiting", "success", "failure", "cancelled", "skipped"],
  success: [],
  failure: [],
  cancelled: [],
  skipped: [],
};

const moves = transitionsOf("job", JOB_TRANSITIONS);

export const canMoveJob: (from: JobStatus, to: JobStatus) => boolean = moves.can;

/** Returns `to`, or throws when the move is not in the table (an engine bug, never a user error). */
export const moveJob: (from: JobStatus, to: JobStatus) => JobStatus = moves.move;
