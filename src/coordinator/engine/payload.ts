import { parse } from "yaml";
import { errorMessage, PoolError } from "../../lib/index.js";

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stepName(step: unknown, index: number): string {
  if (!isMapping(step)) return `step ${index + 1}`;
  for (const key of ["name", "uses", "run", "id"]) {
    const v = step[key];
    if (typeof v === "string" && v.trim() !== "") return v.trim().split("\n")[0] ?? v;
  }
  return `step ${index + 1}`;
}

/**
 * Names of the steps of a single-job payload, one per `steps:` entry: the server keeps one step row per
 * entry and the runner reports StepState ids by the same index. Named like Gitea's jobparser
 * (name, else uses, else run, else id); `run` is cut to its first line for display.
 */
export function stepNamesOf(payload: string, jobId: string): string[] {
  let doc: unknown;
  try {
    doc = parse(payload);
  } catch (err) {
    throw new PoolError("WORKFLOW_INVALID", `payload of job "${jobId}" is not valid YAML: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  const jobs = isMapping(doc) ? doc.jobs : undefined;
  if (!isMapping(jobs)) {
    throw new PoolError("WORKFLOW_INVALID", `payload of job "${jobId}" has no jobs mapping: plan the job again`);
  }
  const job = jobs[jobId] ?? Object.values(jobs)[0];
  if (!isMapping(job)) return [];
  const steps = job.steps;
  return Array.isArray(steps) ? steps.map(stepName) : [];
}
