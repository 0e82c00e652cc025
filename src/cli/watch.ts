import type { Coordinator, PushOutcome } from "../coordinator/index.js";
import { isJobResult } from "../lib/index.js";
import type { Progress, ProgressJob } from "./progress.js";

/**
 * Turns coordinator events into progress lines, once per state change. A job's attempt counts the
 * tasks this watcher saw it run as (a claim given back and taken again is attempt 2).
 */
export function watchCoordinator(
  coordinator: Coordinator,
  progress: Progress,
  roleOf: (runner: string) => string | undefined,
) {
  const seenStatus = new Map<number, string>();
  const seenSteps = new Map<string, string>();
  const tasksOf = new Map<number, Set<number>>();
  const who = (job: { id: number; runId: number; name: string }, next = false): ProgressJob => {
    const tasks = tasksOf.get(job.id)?.size ?? 0;
    return { id: job.id, runId: job.runId, name: job.name, attempt: Math.max(1, next ? tasks + 1 : tasks) };
  };
  const onJob = (e: { jobId: number }) => {
    const job = coordinator.read.getJob(e.jobId);
    if (!job || seenStatus.get(job.id) === job.status) return;
    seenStatus.set(job.id, job.status);
    if (job.status === "running" && job.taskId !== undefined) {
      const tasks = tasksOf.get(job.id) ?? new Set<number>();
      tasksOf.set(job.id, tasks.add(job.taskId));
    }
    const p = who(job, job.status === "waiting");
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
