import type { Coordinator, PushOutcome } from "../coordinator/index.js";
import { isJobResult } from "../lib/index.js";
import type { Progress } from "./progress.js";

/** Turns coordinator events into progress lines, once per state change. */
export function watchCoordinator(
  coordinator: Coordinator,
  progress: Progress,
  roleOf: (runner: string) => string | undefined,
) {
  const seenStatus = new Map<number, string>();
  const seenSteps = new Map<string, string>();
  const onJob = (e: { jobId: number }) => {
    const job = coordinator.read.getJob(e.jobId);
    if (!job || seenStatus.get(job.id) === job.status) return;
    seenStatus.set(job.id, job.status);
    const p = { id: job.id, name: job.name };
    if (job.status === "waiting") progress.queued(p, job.runsOn);
    else if (job.status === "running") progress.started(p, job.runnerName ?? "?", roleOf(job.runnerName ?? ""));
    else if (isJobResult(job.status)) progress.finished(p, job.status);
  };
  const onStep = (e: { jobId: number }) => {
    const job = coordinator.read.getJob(e.jobId);
    if (!job) return;
    for (const s of job.steps) {
      const key = `${job.id}/${s.index}`;
      const state = s.result ?? s.status;
      if (seenSteps.get(key) === state) continue;
      seenSteps.set(key, state);
      if (s.status === "running") progress.stepStarted({ id: job.id, name: job.name }, s.index, s.name);
      else if (s.result) progress.stepFinished({ id: job.id, name: job.name }, s.index, s.name, s.result);
    }
  };
  const onLog = (e: { jobId: number; rows: { content: string }[] }) => {
    const job = coordinator.read.getJob(e.jobId);
    if (!job) return;
    for (const row of e.rows) if (row.content !== "") progress.log({ id: job.id, name: job.name }, row.content);
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
