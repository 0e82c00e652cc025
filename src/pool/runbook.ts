import { whyWaiting } from "./queue-reason.js";
import { guardedLabels } from "./role.js";
import type { RoleStatus } from "./role-status.js";
import type { Supervisor } from "./supervisor.js";

/** What the runbook does to the pool: the supervisor's operator-facing half. */
export type PoolControl = Pick<Supervisor, "status" | "add" | "drain" | "currentRoles">;

/** Jobs waiting for one runs-on, as the embedded coordinator reports its queue. */
export interface QueuedGroup {
  runsOn: string[];
  jobIds: number[];
  oldestQueuedAt: string;
  /** Registered runners whose labels cover runsOn (empty: nobody can serve it). */
  runners: string[];
  /** Roles whose labels cover runsOn; set by the runbook. */
  roles?: string[];
  /** Why these jobs still wait (no role has the labels, drained, all slots busy...); set by the runbook. */
  reason?: string;
}

export interface PoolStatus {
  forge: string;
  embedded: boolean;
  roles: RoleStatus[];
  /** Only with the embedded coordinator. */
  queue?: QueuedGroup[];
}

export interface AddResult {
  added: string;
}

export interface DrainResult {
  /** Instances drained and unregistered. */
  drained: string[];
}

export interface RotateTokenResult {
  rotated: true;
  /** Where the new token came from, for the operator. */
  source: string;
  /** Instances drained and started again with the new token (`--cycle`). */
  cycled: string[];
}

export interface DecommissionResult {
  decommissioned: string;
  /** The forge's runner id; absent for an instance that never finished registering. */
  id?: number;
}

/**
 * What the runbook needs of the forge the pool serves. The composition root binds it to the
 * embedded coordinator or to a Gitea/Forgejo (its admin API).
 */
export interface RunbookForge {
  /** The URL instances register with. */
  url(): string;
  readonly embedded: boolean;
  queue?(): QueuedGroup[];
  /** Makes a new registration token the current one; returns where the operator finds it. */
  rotateToken(): string;
  /** Removes a runner that is not one of the pool's instances, by name or id, so its token stops working. */
  removeRunner(runner: string, signal: AbortSignal): Promise<{ name: string; id: number }>;
}

/** The operator's actions on a running pool (`runnerpool pool ...`), served by its admin API. */
export interface Runbook {
  status(): PoolStatus;
  add(role: string): AddResult;
  drain(target: string): Promise<DrainResult>;
  rotateToken(request: { cycle: boolean }): Promise<RotateTokenResult>;
  decommission(runner: string): Promise<DecommissionResult>;
}

/**
 * The runbook of one pool. `pool` is read on every call: the admin API is served before the
 * supervisor exists (the supervisor needs the server's URL), and answers for an empty pool until then.
 */
export function createRunbook(pool: () => PoolControl | undefined, forge: RunbookForge, signal: AbortSignal): Runbook {
  return {
    status: () => {
      const roles = pool()?.status() ?? [];
      const guarded = new Set(guardedLabels(pool()?.currentRoles() ?? []));
      const queue = forge.queue?.().map((g) => ({ ...g, ...whyWaiting(g.runsOn, roles, guarded) }));
      return {
        forge: forge.url(),
        embedded: forge.embedded,
        roles,
        ...(queue ? { queue } : {}),
      };
    },
    add: (role) => {
      pool()?.add(role);
      return { added: role };
    },
    drain: async (target) => ({ drained: (await pool()?.drain(target)) ?? [] }),
    rotateToken: async ({ cycle }) => {
      const source = forge.rotateToken();
      const supervisor = pool();
      const cycled: string[] = [];
      if (cycle && supervisor) {
        for (const role of supervisor.status()) {
          for (const i of role.instances) {
            cycled.push(...(await supervisor.drain(i.name)));
            supervisor.add(role.name);
          }
        }
      }
      return { rotated: true, source, cycled };
    },
    decommission: async (runner) => {
      const supervisor = pool();
      const ours = supervisor
        ?.status()
        .flatMap((r) => r.instances)
        .find((i) => i.name === runner);
      if (ours && supervisor) {
        // One of ours: drained and unregistered like a scale-down; the role's min brings a fresh one.
        await supervisor.drain(ours.name);
        return { decommissioned: ours.name, ...(ours.runnerId === undefined ? {} : { id: ours.runnerId }) };
      }
      const removed = await forge.removeRunner(runner, signal);
      return { decommissioned: removed.name, id: removed.id };
    },
  };
}
