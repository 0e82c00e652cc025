import { labelsCover, routes } from "../workflow/index.js";
import type { RoleStatus } from "./role-status.js";

/** Why a waiting job has not started yet, as an operator reads it, and the roles that could take it. */
export interface WaitReason {
  /** Roles whose labels cover the job's runs-on (empty: no role can ever run it). */
  roles: string[];
  reason: string;
}

const counting = new Set(["registering", "starting", "idle", "busy"]);

/**
 * The first thing that keeps a waiting job from a slot: no role has its labels, every such role is
 * drained, a slot is free and a runner is about to fetch it, an instance is starting, or every slot is
 * busy at the role's max.
 */
export function whyWaiting(
  runsOn: readonly string[],
  roles: readonly RoleStatus[],
  guarded: ReadonlySet<string> = new Set(),
): WaitReason {
  // The routing rule, not the bare label cover: a guarded role takes only jobs that name it.
  const covering = roles.filter((r) => routes(runsOn, r.labels, guarded));
  const labels = `[${runsOn.join(", ")}]`;
  const names = covering.map((r) => r.name);
  const guardedOnly = roles.filter((r) => labelsCover(runsOn, r.labels));
  if (covering.length === 0 && guardedOnly.length > 0) {
    const only = guardedOnly.map((r) => `${r.name} [${r.labels.filter((l) => guarded.has(l)).join(", ")}]`);
    return {
      roles: names,
      reason: `only guarded roles have labels ${labels}, and they take only jobs that name one of their own labels: ${only.join("; ")}`,
    };
  }
  if (covering.length === 0) {
    const have = roles.map((r) => `${r.name} [${r.labels.join(", ")}]`).join("; ") || "none";
    return { roles: names, reason: `no role has labels ${labels} (roles: ${have})` };
  }
  const open = covering.filter((r) => !r.paused);
  if (open.length === 0) {
    return { roles: names, reason: `role ${names.join(", ")} is drained: \`runnerpool pool add ROLE\` lifts it` };
  }
  const free = open.find((r) => r.idleSlots > 0);
  if (free) return { roles: names, reason: `a slot of role ${free.name} is free: its runner picks the job up next` };
  const growing = open.find((r) => r.instances.some((i) => i.state === "registering" || i.state === "starting"));
  if (growing) return { roles: names, reason: `all slots of role ${growing.name} are busy; an instance is starting` };
  const room = open.find((r) => r.instances.filter((i) => counting.has(i.state)).length < r.max);
  if (room) return { roles: names, reason: `all slots of role ${room.name} are busy; the pool adds an instance` };
  const slots = open.reduce((n, r) => n + r.busySlots, 0);
  return {
    roles: names,
    reason: `all ${slots} slot(s) of role ${names.join(", ")} are busy at the role's max instances`,
  };
}
