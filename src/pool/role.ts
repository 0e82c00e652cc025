import type { ResourceLimits } from "../lib/index.js";
import { exclusiveLabels } from "../workflow/index.js";

/** One role of the pool as the supervisor runs it: config settled (durations in ms, `auto` resolved). */
export interface PoolRole {
  name: string;
  labels: string[];
  backend: "host" | "sandbox" | "docker" | "podman";
  capacity: number;
  env: Record<string, string>;
  /** Container image of jobs (docker, podman). */
  image?: string;
  /** When the image is pulled (default never: it must be local). */
  pull?: "always" | "missing" | "never";
  /** Absolute path of a containers auth file with the registry's credentials. */
  registryAuthFile?: string;
  /** Idle instances kept warm, and instances at most. Default { min: 1, max: 1 }. */
  instances?: { min: number; max: number };
  /** An idle instance above `min` is drained and unregistered after this long. Default 10 min. */
  idleTimeoutMs?: number;
  limits?: ResourceLimits;
  privileged?: boolean;
  allowedRefs?: string[];
  /** Absolute path; mounted read-only into this role's jobs only. */
  secretsDir?: string;
  /**
   * On a guarded role (privileged or with secrets): its labels no other role has; its runners refuse any
   * job whose runs-on names none of them. Filled by `guardRoles`; missing on a guarded role = refuse all.
   */
  exclusiveLabels?: string[];
  /** Where instances run: `local` (this process, default), `docker`/`podman` (a container per instance). */
  provider?: "local" | "docker" | "podman";
}

export const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60_000;

export function instanceBounds(role: PoolRole): { min: number; max: number } {
  return role.instances ?? { min: 1, max: 1 };
}

/** What makes running instances of a role stale when it changes (sizes and timeouts do not). */
export function roleIdentity(role: PoolRole): string {
  return JSON.stringify([
    role.labels,
    role.backend,
    role.image,
    role.pull,
    role.registryAuthFile,
    role.capacity,
    role.env,
    role.limits,
    role.privileged,
    role.allowedRefs,
    role.secretsDir,
    role.exclusiveLabels,
  ]);
}

/** A privileged or secret-holding role: reachable only by a job that names one of its exclusive labels. */
export function isGuarded(role: PoolRole): boolean {
  return role.privileged === true || role.secretsDir !== undefined;
}

/** The roles with `exclusiveLabels` set on every guarded one, from the labels of the whole pool. */
export function guardRoles(roles: readonly PoolRole[]): PoolRole[] {
  const routed = roles.map((r) => ({ name: r.name, labels: r.labels, guarded: isGuarded(r) }));
  return roles.map((r, i) => (isGuarded(r) ? { ...r, exclusiveLabels: exclusiveLabels(routed[i]!, routed) } : r));
}

/** The labels that only guarded roles carry: runners with one take only jobs whose runs-on names one. */
export function guardedLabels(roles: readonly PoolRole[]): string[] {
  return guardRoles(roles).flatMap((r) => r.exclusiveLabels ?? []);
}
