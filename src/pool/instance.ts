import type { Registration, RunnerHandle } from "../runner/index.js";
import type { InstanceState } from "./instance-state.js";
import type { PoolRole } from "./role.js";

/** One instance as `pool status` and the supervisor's events show it. */
export interface InstanceStatus {
  name: string;
  role: string;
  state: InstanceState;
  running: number;
  capacity: number;
  since: string;
  runnerId?: number;
}

/** One instance as the supervisor keeps it, from registering to removed. */
export interface Instance {
  name: string;
  role: PoolRole;
  state: InstanceState;
  since: number;
  idleSince: number;
  registration?: Registration;
  handle?: RunnerHandle;
  /** Set when the supervisor asked it to stop, so its end is not a crash. */
  retiring: boolean;
}

/** Jobs the instance runs now, by the runner's own count. */
export function runningJobs(i: Instance): number {
  return i.handle?.status().running ?? 0;
}

export function describeInstance(i: Instance): InstanceStatus {
  return {
    name: i.name,
    role: i.role.name,
    state: i.state,
    running: runningJobs(i),
    capacity: i.role.capacity,
    since: new Date(i.since).toISOString(),
    ...(i.registration ? { runnerId: i.registration.id } : {}),
  };
}
