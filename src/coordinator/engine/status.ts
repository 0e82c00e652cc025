import type { JobResult, JobStatus, RunStatus } from "../store/records.js";
import { isFinal } from "../store/records.js";

/**
 * Gitea's AggregateJobStatus over jobs that are all final: all skipped -> skipped, all success or skipped
 * -> success, any cancelled -> cancelled, else failure. Used for matrix siblings in Task.needs and for runs.
 */
export function aggregateResult(statuses: readonly JobResult[]): JobResult {
  if (statuses.length > 0 && statuses.every((s) => s === "skipped")) return "skipped";
  if (statuses.every((s) => s === "success" || s === "skipped")) return "success";
  if (statuses.includes("cancelled")) return "cancelled";
  return "failure";
}

/** A run is final when all its jobs are; before that it is running once any job started or ended. */
export function runStatusOf(jobs: readonly { status: JobStatus }[]): RunStatus {
  const statuses = jobs.map((j) => j.status);
  const final = statuses.filter(isFinal);
  if (final.length === statuses.length) return aggregateResult(final);
  if (final.length > 0 || statuses.includes("running")) return "running";
  return "waiting";
}
