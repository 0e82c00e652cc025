import { PoolError } from "../lib/index.js";

/**
 * Life of one pool instance (one registration): `registering` → `starting` → `idle` ⇄ `busy` →
 * `draining` (no new jobs, running ones finish) → `removing` (unregister) → `removed`. Any live
 * state may end in `crashed`; the supervisor then starts a replacement with backoff.
 */
export type InstanceState =
  | "registering"
  | "starting"
  | "idle"
  | "busy"
  | "draining"
  | "removing"
  | "removed"
  | "crashed";

export const INSTANCE_STATES: readonly InstanceState[] = [
  "registering",
  "starting",
  "idle",
  "busy",
  "draining",
  "removing",
  "removed",
  "crashed",
];

const NEXT: Record<InstanceState, readonly InstanceState[]> = {
  // registering → removed: the pool stopped before the forge answered.
  registering: ["starting", "crashed", "removed"],
  starting: ["idle", "draining", "crashed"],
  idle: ["busy", "draining", "crashed"],
  busy: ["idle", "draining", "crashed"],
  draining: ["removing", "crashed"],
  removing: ["removed"],
  removed: [],
  crashed: [],
};

/** States in which an instance is registered and counts towards the role's size. */
export function isLive(state: InstanceState): boolean {
  return state === "registering" || state === "starting" || state === "idle" || state === "busy";
}

export function canMoveInstance(from: InstanceState, to: InstanceState): boolean {
  return NEXT[from].includes(to);
}

/** Returns `to`, or throws when the move is not in the table (a supervisor bug, never a user error). */
export function moveInstance(from: InstanceState, to: InstanceState): InstanceState {
  if (!canMoveInstance(from, to)) {
    throw new PoolError("INTERNAL", `[instance-state] cannot move an instance from "${from}" to "${to}"`);
  }
  return to;
}
