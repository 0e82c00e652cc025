import type { Coordinator, JobEvent } from "../coordinator/index.js";
import { guardedLabels, type Supervisor, whyWaiting } from "../pool/index.js";
import type { Progress } from "./progress.js";

/**
 * On `up` a job no role can serve waits (a reload may add the role, as Gitea would wait for a runner),
 * so the operator reads why in `up`'s log once per job, besides `pool status` and the API's queue.
 */
export function noteUnserved(coordinator: Coordinator, progress: Progress, pool: Supervisor): () => void {
  const told = new Set<number>();
  const onJob = (e: JobEvent) => {
    if (e.status !== "waiting" || told.has(e.jobId)) return;
    const job = coordinator.read.getJob(e.jobId);
    if (!job) return;
    const why = whyWaiting(job.runsOn, pool.status(), new Set(guardedLabels(pool.currentRoles())));
    if (why.roles.length > 0) return;
    told.add(e.jobId);
    progress.note(`job ${job.name} (#${job.id}, run ${job.runId}) waits: ${why.reason}`);
  };
  coordinator.events.on("job", onJob);
  return () => coordinator.events.off("job", onJob);
}
