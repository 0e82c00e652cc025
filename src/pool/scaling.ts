import { DEFAULT_IDLE_TIMEOUT_MS, instanceBounds, type PoolRole } from "./role.js";

/** A role's instances as scaling sees them. */
export interface RoleLoad {
  /** Idle or busy instances. */
  live: number;
  /** Live or still draining: they count against `max`. */
  occupied: number;
  /** Live instances running nothing. */
  idle: number;
  /** Free slots on live instances. */
  free: number;
  /** Jobs waiting for the role's labels; undefined when the forge cannot say. */
  queued: number | undefined;
  /** Extra instances asked for by `pool add`. */
  extra: number;
  paused: boolean;
}

/**
 * How many instances to start now: enough for `min` idle ones and the jobs waiting beyond the free
 * slots (or one more when the forge cannot count its queue and every slot is taken), never past `max`.
 */
export function instancesToStart(role: PoolRole, load: RoleLoad): number {
  const { min, max } = instanceBounds(role);
  let want = 0;
  if (!load.paused) {
    want = Math.max(0, min - load.idle, load.extra);
    if (load.queued !== undefined) {
      want = Math.max(want, Math.ceil(Math.max(0, load.queued - load.free) / role.capacity));
    } else if (load.free === 0 && load.live > 0) want = Math.max(want, 1);
  }
  return Math.min(want, max - load.occupied);
}

/** Idle instances past the role's idle timeout that are above its warm minimum, oldest idle first. */
export function expiredIdle<T extends { state: string; idleSince: number }>(
  role: PoolRole,
  idle: T[],
  now: number,
): T[] {
  const timeout = role.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const surplus = Math.max(0, idle.length - instanceBounds(role).min);
  return idle
    .filter((i) => i.state === "idle" && now - i.idleSince >= timeout)
    .sort((a, b) => a.idleSince - b.idleSince)
    .slice(0, surplus);
}
