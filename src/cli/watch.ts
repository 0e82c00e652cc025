import type { Coordinator, PushOutcome } from "../coordinator/index.js";
import { isJobResult } from "../lib/index.js";
import type { Progress, ProgressJob } from "./progress.js";

/** Turns coordinator events into progress lines, once per state change; the attempt is the job's own. */
export function watchCoordinator(
  coordinator: Coordinator,
  progress: Progress,
  roleOf: (runner: string) => string | undefined,
) {
  const seenStatus = new Map<number, string>();
  const seenSteps = new Map<string, string>();
  const who = (job: { id: number; runId: number; name: string; attempt: number }): ProgressJob => ({
    id: job.id,
    runId: job.runId,
    name: job.name,
    attempt: job.attempt,
  });
  const onJob = (e: { jobId: number }) => {
    const job = coordinator.read.getJob(e.jobId);
    if (!job) return;
    const state = `${job.attempt}/${job.status}`;
    if (seenStatus.get(job.id) === state) return;
    seenStatus.set(job.id, state);
    const p = who(job);
    if (job.status === "waiting") progress.queued(p, job.runsOn);
    else if (job.status === "running") progress.started(p, job.runnerName ?? "?", roleOf(job.runnerName ?? ""));
    else if (isJobResult(job.status)) progress.finished(p, job.status);
  };
  const onStep = (e: { jobId: number }) => {
    const job = coordinator.read.getJob(e.jobId);
    if (!job) return;
    for (const s of job.steps) {
      const key = `${job.id}/${who(job).attempt}/${s.index}`;
      const state = s.result ?? s.status;
      if (seenSteps.get(key) === state) continue;
      seenSteps.set(key, state);
      if (s.status === "running") progress.stepStarted(who(job), s.index, s.name);
      else if (s.result) progress.stepFinished(who(job), s.index, s.name, s.result);
    }
  };
  const onLog = (e: { jobId: number; rows: { content: string }[] }) => {
    const job = coordinator.read.getJob(e.jobId);
    if (!job) return;
    for (const row of e.rows) if (row.content !== "") progress.log(who(job), row.content);
  };
  const onPush = (o: PushOutcome) => {
    const where = `push ${o.repo} ${o.ref.replace(/^refs\/(heads|tags)\//, "")} ${o.sha.slice(0, 8)}`;
    if (o.error !== undefined) progress.note(`${where}: ${o.workflow || "workflows"} not started: ${o.error}`);
    else progress.note(`${where}: ${o.workflow} started run ${o.runId}`);
  };
  coordinator.events.on("job", onJob);
  coordinator.events.on("push", onPush);
  coordinator.events.on("step", onStep);
  coordinator.events.on("log", onLog);
  return () => {
    coordinator.events.off("job", onJob);
    coordinator.events.off("step", onStep);
    coordinator.events.off("log", onLog);
    coordinator.events.off("push", onPush);
  };
}
