import {
  exclusiveLabels,
  formatDiagnostic,
  labelsCover,
  normaliseRunsOn,
  parseWorkflow,
  planJobs,
  type RoutedRole,
  routes,
} from "../workflow/index.js";

/** One job of a repository and the role that would run it. */
export interface CoverageRow {
  workflow: string;
  job: string;
  runsOn: string[];
  /** The role the embedded coordinator routes it to; null: none (no role's labels cover it, or only guarded ones). */
  role: string | null;
  /**
   * Privileged or secret-holding roles whose labels cover the job although it names none of their own
   * labels: a forge that picks by labels alone (Gitea) may hand it to them, and they refuse it.
   */
  unnamedGuarded: string[];
}

export interface Coverage {
  rows: CoverageRow[];
  /** Workflows that do not parse, one line per error. */
  errors: string[];
}

/** Every job's runs-on across a repository's workflows and the role that serves it, offline. */
export function planCoverage(
  workflows: readonly { file: string; source: string }[],
  roles: readonly RoutedRole[],
): Coverage {
  const own = new Map(roles.filter((r) => r.guarded).map((r) => [r, exclusiveLabels(r, roles)]));
  const guarded = new Set([...own.values()].flat());
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
      const role = roles.find((r) => routes(runsOn, r.labels, guarded));
      const unnamedGuarded = [...own]
        .filter(([r, labels]) => labelsCover(runsOn, r.labels) && !runsOn.some((l) => labels.includes(l)))
        .map(([r]) => r.name);
      rows.push({ workflow: file, job, runsOn, role: role?.name ?? null, unnamedGuarded });
    }
  }
  return { rows, errors };
}
