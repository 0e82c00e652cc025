import type { PoolConfig, RoleConfig } from "./schema.js";

/** What happens to a job whose runner is lost: after how long, and how many new attempts it gets. */
export interface LossPolicy {
  leaseMs: number;
  retries: number;
}

/** A role's policy: its own `lease` or `[runner] lease`; `retry_on_loss`, by default 1, or 0 for privileged and secrets_dir roles. */
export function roleLossPolicy(role: RoleConfig, runner: PoolConfig["runner"]): LossPolicy {
  const sideEffects = role.privileged || role.secrets_dir !== undefined;
  return { leaseMs: role.lease ?? runner.lease, retries: role.retry_on_loss ?? (sideEffects ? 0 : 1) };
}

/**
 * The policy of a runner with these registered labels: the role whose labels are exactly them (an
 * instance registers its role's labels as `<label>:host`, so the part after a colon is ignored). When
 * several roles share the labels the strictest wins (fewest retries, longest lease); undefined when no
 * role matches (a runner registered by hand).
 */
export function lossPolicyForLabels(config: PoolConfig, labels: readonly string[]): LossPolicy | undefined {
  const names = new Set(labels.map((l) => l.split(":", 1)[0]));
  const roles = config.role.filter((r) => r.labels.length === names.size && r.labels.every((l) => names.has(l)));
  if (roles.length === 0) return undefined;
  const policies = roles.map((r) => roleLossPolicy(r, config.runner));
  return {
    leaseMs: Math.max(...policies.map((p) => p.leaseMs)),
    retries: Math.min(...policies.map((p) => p.retries)),
  };
}
