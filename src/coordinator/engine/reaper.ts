import type { Logger } from "../../lib/index.js";
import type { Store } from "../store/db.js";
import type { RunEngine } from "./run-engine.js";

const seconds = (ms: number) => `${Math.round(ms / 100) / 10}s`;

/**
 * Gitea's zombie reaper: a running task whose runner has not reported (UpdateTask or UpdateLog) for
 * `timeoutMs` is failed, so a crashed runner cannot keep a run open forever.
 */
export function reapZombies(store: Store, engine: RunEngine, timeoutMs: number, logger: Logger, now = Date.now()) {
  if (timeoutMs <= 0) return;
  for (const task of store.tasks.staleRunning(now - timeoutMs)) {
    const message = `task ${task.id} failed: its runner sent no update for ${seconds(now - task.updated)} (zombie timeout ${seconds(timeoutMs)})`;
    logger.warn({ task: task.id, job: task.jobId }, message);
    engine.finishTask(task, "failure", now, message);
  }
}
