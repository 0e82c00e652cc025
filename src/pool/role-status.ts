import { describeInstance, type Instance, type InstanceStatus, runningJobs } from "./instance.js";
import { instanceBounds, type PoolRole } from "./role.js";

/** One role of a running pool: its bounds, slots, and instances. */
export interface RoleStatus {
  name: string;
  labels: string[];
  backend: string;
  min: number;
  max: number;
  capacity: number;
  /** Drained by `pool drain ROLE`: stays empty until `pool add` or a config change. */
  paused: boolean;
  queued?: number;
  busySlots: number;
  idleSlots: number;
  restarts: number;
  lastError?: string;
  instances: InstanceStatus[];
}

/** What the supervisor knows of a role beyond its config. */
export interface RoleBook {
  paused: boolean;
  restarts: number;
  lastError?: string;
}

/** A role's status from its instances (all of them, any state) and the forge's queue for its labels. */
export function roleStatus(
  role: PoolRole,
  book: RoleBook,
  instances: Instance[],
  queued: number | undefined,
): RoleStatus {
  const live = instances.filter((i) => i.state === "idle" || i.state === "busy");
  const running = live.reduce((n, i) => n + runningJobs(i), 0);
  const { min, max } = instanceBounds(role);
  return {
    name: role.name,
    labels: role.labels,
    backend: role.backend,
    min,
    max,
    capacity: role.capacity,
    paused: book.paused,
    ...(queued === undefined ? {} : { queued }),
    busySlots: running,
    idleSlots: live.length * role.capacity - running,
    restarts: book.restarts,
    ...(book.lastError === undefined ? {} : { lastError: book.lastError }),
    instances: instances.map(describeInstance),
  };
}
