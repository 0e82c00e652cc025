import { formatDiagnostic, type Job, parseWorkflow, type Workflow } from "../workflow/index.js";

export type LoadedJob = { ok: true; workflow: Workflow; job: Job } | { ok: false; problems: string[] };

/**
 * Reads a task's single-job workflow; every reason it cannot run becomes one line in `problems`,
 * as `file:line:col: message` where a position is known.
 */
export function loadJob(payload: string, file = "workflow payload"): LoadedJob {
  if (payload.trim() === "") return { ok: false, problems: ["the workflow payload is empty: the forge sent no job"] };
  const parsed = parseWorkflow(payload, file);
  const problems = parsed.diagnostics
    .filter((d) => d.severity === "error")
    .map((d) => formatDiagnostic(d, { severity: false }));
  const workflow = parsed.workflow;
  if (workflow === undefined) return { ok: false, problems };
  if (workflow.jobs.length !== 1) {
    const ids = workflow.jobs.map((j) => `'${j.id}'`).join(", ");
    problems.push(
      `the workflow payload has ${workflow.jobs.length} jobs${ids ? ` (${ids})` : ""}: a runner takes exactly one job per task`,
    );
  }
  const job = workflow.jobs[0];
  if (job?.uses !== undefined) {
    problems.push(
      `job '${job.id}' calls the reusable workflow '${job.uses}': this runner does not expand reusable workflows; use a forge that expands them server-side`,
    );
  }
  if (problems.length > 0 || job === undefined) return { ok: false, problems };
  return { ok: true, workflow, job };
}
