import { stringify } from "yaml";
import { errorMessage } from "../lib/index.js";
import { type ExpressionContexts, evaluateValue, hasExpression, interpolate, splitTemplate } from "./expressions.js";
import { expandMatrix, type MatrixCombination, matrixName } from "./matrix.js";
import type { Diagnostic, Job, PlannedJob, Workflow } from "./model.js";

/** What is known when a run is created; `needs` only when re-planning a job whose needs finished. */
export interface PlanContext {
  github: Record<string, unknown>;
  vars: Record<string, string>;
  inputs: Record<string, unknown>;
  /** `needs.<id>.{result,outputs}`; when absent, a matrix reading `needs` is deferred. */
  needs?: Record<string, unknown>;
}

export interface PlanResult {
  jobs: PlannedJob[];
  diagnostics: Diagnostic[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Does any `${{ }}` inside the value read the `needs` context? */
function readsNeeds(value: unknown): boolean {
  if (typeof value === "string") {
    if (!hasExpression(value)) return false;
    try {
      return splitTemplate(value).some(
        (p) => !p.literal && /(^|[^.\w-])needs\b/i.test(p.text.replace(/'(?:[^']|'')*'/g, "''")),
      );
    } catch {
      return false;
    }
  }
  if (Array.isArray(value)) return value.some(readsNeeds);
  if (isRecord(value)) return Object.values(value).some(readsNeeds);
  return false;
}

/** The `{key: [value]}` form Gitea writes into a single job's payload (`encodeMatrix`). */
function pinnedMatrix(combo: MatrixCombination): Record<string, unknown[]> {
  return Object.fromEntries(Object.entries(combo).map(([k, v]) => [k, [v]]));
}

/** A single-job workflow shaped like Gitea's SingleWorkflow. */
function payloadOf(workflow: Workflow, job: Record<string, unknown>, id: string, runName: unknown): string {
  const raw = workflow.raw;
  const doc: Record<string, unknown> = {};
  if (raw.name !== undefined) doc.name = raw.name;
  const on = raw.on ?? raw.true;
  if (on !== undefined) doc.on = on;
  for (const key of ["env", "defaults", "permissions"]) if (raw[key] !== undefined) doc[key] = raw[key];
  if (runName !== undefined) doc["run-name"] = runName;
  doc.jobs = { [id]: job };
  return stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

function flattenLabels(values: unknown[]): string[] {
  return values.flatMap((v) =>
    Array.isArray(v) ? flattenLabels(v) : v === null || v === undefined ? [] : [String(v)],
  );
}

/**
 * Plans one job: expands its matrix and builds one PlannedJob (with payload) per combination.
 * Call it again with `ctx.needs` for a job planned with `deferredMatrix`.
 */
export function planJob(workflow: Workflow, job: Job, ctx: PlanContext): PlanResult {
  const diagnostics: Diagnostic[] = [];
  const fail = (code: string, message: string): PlanResult => {
    diagnostics.push({
      code,
      severity: "error",
      message,
      file: workflow.file,
      ...(job.position ? { line: job.position.line, col: job.position.col } : {}),
    });
    return { jobs: [], diagnostics };
  };
  // Gitea exposes the same data as `gitea`.
  const base: ExpressionContexts = {
    github: ctx.github,
    gitea: ctx.github,
    vars: ctx.vars,
    inputs: ctx.inputs,
    needs: ctx.needs ?? {},
  };
  let runName: unknown = workflow.raw["run-name"];
  try {
    if (typeof runName === "string") runName = interpolate(runName, base);
  } catch (err) {
    return fail("expression-error", `run-name: ${errorMessage(err)}`);
  }

  const strategy = job.strategy;
  const rawMatrix = strategy?.matrix;
  const deferred = rawMatrix !== undefined && ctx.needs === undefined && job.needs.length > 0 && readsNeeds(rawMatrix);
  let combos: MatrixCombination[] = [{}];
  if (rawMatrix !== undefined && rawMatrix !== null && !deferred) {
    try {
      combos = expandMatrix(evaluateValue(rawMatrix, base));
    } catch (err) {
      return fail("matrix-invalid", `job '${job.id}': ${errorMessage(err)}`);
    }
  }

  // Gitea orders a job's combinations by their name suffix (a stable sort keeps ties in matrix order).
  const named = combos.map((c) => ({ c, key: matrixName(c) }));
  named.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  combos = named.map((n) => n.c);

  const jobs: PlannedJob[] = [];
  for (const [index, matrix] of combos.entries()) {
    const contexts: ExpressionContexts = {
      ...base,
      matrix,
      strategy: {
        "fail-fast": strategy?.["fail-fast"] ?? true,
        "max-parallel": strategy?.["max-parallel"] ?? combos.length,
        "job-index": index,
        "job-total": combos.length,
      },
    };
    const hasMatrix = Object.keys(matrix).length > 0;
    let name = job.name ?? job.id;
    let runsOn: string[];
    let continueOnError = job.raw["continue-on-error"];
    try {
      // A name reading needs keeps its expression until the needs are known (as Gitea does).
      if (hasExpression(name)) {
        if (ctx.needs !== undefined || !readsNeeds(name)) name = interpolate(name, contexts);
      } else if (hasMatrix) name = `${name} ${matrixName(matrix)}`;
      runsOn = deferred ? job.runsOn : flattenLabels(job.runsOn.map((l) => evaluateValue(l, contexts)));
      if (typeof continueOnError === "string" && hasExpression(continueOnError) && !deferred)
        continueOnError = evaluateValue(continueOnError, contexts);
    } catch (err) {
      return fail("expression-error", `job '${job.id}': ${errorMessage(err)}`);
    }

    const payloadJob: Record<string, unknown> = { name };
    for (const [key, value] of Object.entries(job.raw)) {
      if (key === "needs" || key === "name") continue;
      if (key === "runs-on") payloadJob[key] = runsOn.length === 1 ? runsOn[0] : runsOn;
      else if (key === "continue-on-error") payloadJob[key] = continueOnError;
      else if (key === "strategy" && isRecord(value) && hasMatrix)
        payloadJob[key] = { ...value, matrix: pinnedMatrix(matrix) };
      else payloadJob[key] = value;
    }
    const planned: PlannedJob = {
      jobId: job.id,
      name,
      matrix,
      runsOn,
      needs: [...job.needs],
      payload: payloadOf(workflow, payloadJob, job.id, runName),
    };
    if (job.if !== undefined) planned.if = job.if;
    if (deferred) planned.deferredMatrix = true;
    jobs.push(planned);
  }
  return { jobs, diagnostics };
}

/** Splits a workflow into the jobs a run queues: one per job and matrix combination, in file order. */
export function planJobs(workflow: Workflow, ctx: PlanContext): PlanResult {
  const jobs: PlannedJob[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const job of workflow.jobs) {
    const r = planJob(workflow, job, ctx);
    jobs.push(...r.jobs);
    diagnostics.push(...r.diagnostics);
  }
  return { jobs, diagnostics };
}
