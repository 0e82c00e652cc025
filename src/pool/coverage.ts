import { formatDiagnostic, labelsCover, normaliseRunsOn, parseWorkflow, planJobs } from "../workflow/index.js";

/** One job of a repository and the role that would run it. */
export interface CoverageRow {
  workflow: string;
  job: string;
  runsOn: string[];
  /** null: no role's labels cover the job's runs-on. */
  role: string | null;
}

export interface Coverage {
  rows: CoverageRow[];
  /** Workflows that do not parse, one line per error. */
  errors: string[];
}

/** Every job's runs-on across a repository's workflows and the role that serves it, offline. */
export function planCoverage(
  workflows: readonly { file: string; source: string }[],
  roles: readonly { name: string; labels: readonly string[] }[],
): Coverage {
  const rows: CoverageRow[] = [];
  const errors: string[] = [];
  for (const { file, source } of workflows) {
    const parsed = parseWorkflow(source, file);
    if (!parsed.workflow) {
      errors.push(
        ...parsed.diagnostics
          .filter((d) => d.severity === "error")
          .map((d) => formatDiagnostic(d, { severity: false })),
      );
      continue;
    }
    const plan = planJobs(parsed.workflow, { github: {}, vars: {}, inputs: {} });
    const planned = new Set(plan.jobs.map((j) => j.jobId));
    const jobs = [
      ...plan.jobs.map((j) => ({ job: j.name, runsOn: j.runsOn })),
      // A job whose plan failed (e.g. runs-on from an input) still shows with its written labels.
      ...parsed.workflow.jobs
        .filter((j) => !planned.has(j.id))
        .map((j) => ({ job: j.id, runsOn: normaliseRunsOn(j.runsOn) })),
    ];
    for (const { job, runsOn } of jobs) {
      const role = roles.find((r) => labelsCover(runsOn, r.labels));
      rows.push({ workflow: file, job, runsOn, role: role?.name ?? null });
    }
  }
  return { rows, errors };
}
