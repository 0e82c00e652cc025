import type { Logger } from "../../lib/index.js";
import type { Store } from "../store/db.js";
import type { RunnerRecord } from "../store/records.js";
import type { RunEngine } from "./run-engine.js";

/** How a runner's lost jobs are found and treated (the role's `lease` and `retry_on_loss`). */
export interface LossPolicy {
  /** A running task silent this long is lost; 0 = never. */
  leaseMs: number;
  /** New attempts a lost job gets before it fails. */
  retries: number;
}

/** The policy of the role a runner serves; the composition root knows the roles, the engine does not. */
export type LossPolicyOf = (runner: RunnerRecord | undefined) => LossPolicy;

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * The lease: a running task whose runner sent nothing (UpdateTask, UpdateLog) for its role's lease is
 * lost. Silence is counted from `since` at the earliest (when this coordinator opened), so runners that
 * outlived a coordinator restart get a full lease to report again.
 */
export function reapLost(store: Store, engine: RunEngine, policyOf: LossPolicyOf, since: number, logger: Logger) {
  const now = Date.now();
  for (const task of store.tasks.staleRunning(now)) {
    const runner = store.runners.get(task.runnerId);
    const policy = policyOf(runner);
    const silent = now - Math.max(task.updated, since);
    if (policy.leaseMs <= 0 || silent < policy.leaseMs) continue;
    const reason = `runner ${runner?.name ?? task.runnerId} lost: no update for ${seconds(silent)} (lease ${seconds(policy.leaseMs)}, task ${task.id})`;
    const outcome = engine.loseTask(task, reason, policy.retries);
    logger.warn({ task: task.id, job: task.jobId, outcome }, reason);
  }
}

/**
 * A runner declared itself (it started): every task it still held died with its previous process, so
 * each is lost at once instead of after a lease.
 */
export function loseTasksOf(
  runner: RunnerRecord,
  engine: RunEngine,
  store: Store,
  policyOf: LossPolicyOf,
  logger: Logger,
) {
  const held = store.tasks.ofRunner(runner.id).filter((t) => t.status === "running");
  for (const task of held) {
    const reason = `runner ${runner.name} lost: it restarted without task ${task.id}`;
    const outcome = engine.loseTask(task, reason, policyOf(runner).retries);
    logger.warn({ task: task.id, job: task.jobId, outcome }, reason);
  }
}
