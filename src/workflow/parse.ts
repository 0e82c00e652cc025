import { checkExpressions } from "./expression-check.js";
import { checkFilterPatterns } from "./filter-check.js";
import type { Job, ParseResult, RunDefaults, Step, Workflow } from "./model.js";
import { checkNeedsGraph } from "./needs-graph.js";
import { normaliseOn, normaliseRunsOn } from "./normalise.js";
import { collectDiagnostics, type Path, type Report } from "./report.js";
import { YamlSource } from "./yaml-source.js";

const JOB_KEYS = new Set([
  "name",
  "needs",
  "permissions",
  "runs-on",
  "environment",
  "concurrency",
  "outputs",
  "env",
  "defaults",
  "if",
  "steps",
  "timeout-minutes",
  "cancel-timeout-minutes",
  "strategy",
  "continue-on-error",
  "container",
  "services",
  "uses",
  "with",
  "secrets",
]);
const STEP_KEYS = new Set([
  "id",
  "name",
  "if",
  "run",
  "uses",
  "shell",
  "with",
  "env",
  "working-directory",
  "continue-on-error",
  "timeout-minutes",
]);
// Gitea's jobparser accepts the same ids as GitHub.
const JOB_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
}

function stringList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map((x) => String(x));
  return [String(v)];
}

function boolOrText(v: unknown): boolean | string | undefined {
  if (typeof v === "boolean") return v;
  return text(v);
}

function numberOrText(v: unknown): number | string | undefined {
  if (typeof v === "number") return v;
  return text(v);
}

function record(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

function runDefaults(v: unknown): RunDefaults {
  const run = record(record(v).run);
  const out: RunDefaults = {};
  const shell = text(run.shell);
  const wd = text(run["working-directory"]);
  if (shell !== undefined) out.shell = shell;
  if (wd !== undefined) out.workingDirectory = wd;
  return out;
}

/** One entry of a `steps:` list (a job's or a composite action's) with its diagnostics. */
export function buildStep(raw: unknown, index: number, path: Path, source: YamlSource, report: Report): Step {
  const pos = source.positionOf(path);
  const s = record(raw);
  if (!isRecord(raw))
    report("step-not-mapping", "error", `step ${index + 1} is not a mapping: write 'run:' or 'uses:' keys`, pos);
  const step: Step = { index, with: record(s.with), env: record(s.env) };
  const set = <K extends keyof Step>(key: K, value: Step[K] | undefined) => {
    if (value !== undefined) step[key] = value;
  };
  set("id", text(s.id));
  set("name", text(s.name));
  set("if", boolOrText(s.if));
  set("run", text(s.run));
  set("uses", text(s.uses));
  set("shell", text(s.shell));
  set("workingDirectory", text(s["working-directory"]));
  set("continueOnError", boolOrText(s["continue-on-error"]));
  set("timeoutMinutes", numberOrText(s["timeout-minutes"]));
  set("position", pos);
  const label = step.id ? `step '${step.id}'` : `step ${index + 1}`;
  if (isRecord(raw)) {
    if (step.run !== undefined && step.uses !== undefined)
      report("step-run-and-uses", "error", `${label} has both 'run' and 'uses': keep only one`, pos);
    if (step.run === undefined && step.uses === undefined)
      report("step-no-run-or-uses", "error", `${label} has neither 'run' nor 'uses': add one`, pos);
    for (const key of Object.keys(s))
      if (!STEP_KEYS.has(key))
        report(
          "unknown-key",
          "warning",
          `${label} has unknown key '${key}': it is ignored`,
          source.position(source.keyNode(path, key)),
        );
  }
  for (const key of ["with", "env"] as const)
    if (s[key] !== undefined && s[key] !== null && !isRecord(s[key]))
      report(
        "not-a-mapping",
        "error",
        `${label} '${key}' is not a mapping: write 'name: value' pairs`,
        source.positionOf([...path, key]),
      );
  return step;
}

function buildJob(id: string, raw: unknown, source: YamlSource, report: Report): Job {
  const path: Path = ["jobs", id];
  const pos = source.position(source.keyNode(["jobs"], id)) ?? source.positionOf(path);
  const j = record(raw);
  if (!isRecord(raw))
    report("job-not-mapping", "error", `job '${id}' is not a mapping: give it 'runs-on' and 'steps'`, pos);
  if (!JOB_ID.test(id))
    report(
      "job-id-invalid",
      "error",
      `job id '${id}' is invalid: use letters, digits, '-' and '_', starting with a letter or '_'`,
      pos,
    );
  const rawSteps = j.steps;
  const steps: Step[] = [];
  if (Array.isArray(rawSteps))
    rawSteps.forEach((s, i) => {
      steps.push(buildStep(s, i, [...path, "steps", i], source, report));
    });
  else if (rawSteps !== undefined && rawSteps !== null)
    report(
      "not-a-list",
      "error",
      `job '${id}' 'steps' is not a list: write '- run: ...' items`,
      source.positionOf([...path, "steps"]),
    );
  const job: Job = {
    id,
    runsOn: normaliseRunsOn(j["runs-on"]),
    needs: stringList(j.needs),
    env: record(j.env),
    defaults: runDefaults(j.defaults),
    outputs: Object.fromEntries(Object.entries(record(j.outputs)).map(([k, v]) => [k, text(v) ?? ""])),
    steps,
    raw: j,
  };
  const name = text(j.name);
  const cond = boolOrText(j.if);
  const timeout = numberOrText(j["timeout-minutes"]);
  const coe = boolOrText(j["continue-on-error"]);
  const uses = text(j.uses);
  if (name !== undefined) job.name = name;
  if (cond !== undefined) job.if = cond;
  if (timeout !== undefined) job.timeoutMinutes = timeout;
  if (coe !== undefined) job.continueOnError = coe;
  if (isRecord(j.strategy)) job.strategy = j.strategy;
  if (j.container !== undefined && j.container !== null) job.container = j.container;
  if (j.services !== undefined && j.services !== null) job.services = j.services;
  if (uses !== undefined) job.uses = uses;
  if (pos) job.position = pos;

  if (isRecord(raw)) {
    if (uses === undefined && (j["runs-on"] === undefined || j["runs-on"] === null))
      report(
        "runs-on-missing",
        "warning",
        `job '${id}' has no 'runs-on': Gitea gives it to any runner; add 'runs-on' labels`,
        pos,
      );
    if (uses === undefined && steps.length === 0)
      report("job-no-steps", "error", `job '${id}' has no steps: add 'steps' or 'uses'`, pos);
    for (const key of Object.keys(j))
      if (!JOB_KEYS.has(key))
        report(
          "unknown-key",
          "warning",
          `job '${id}' has unknown key '${key}': it is ignored`,
          source.position(source.keyNode(path, key)),
        );
  }
  const seen = new Map<string, Step>();
  for (const step of steps) {
    if (step.id === undefined) continue;
    if (seen.has(step.id))
      report(
        "step-id-duplicate",
        "error",
        `step id '${step.id}' is used twice in job '${id}': make step ids unique`,
        step.position,
      );
    else seen.set(step.id, step);
  }
  return job;
}

/** Reads a workflow file into the executable model; problems become diagnostics, never exceptions. */
export function parseWorkflow(source: string, file: string): ParseResult {
  const yaml = new YamlSource(source, file);
  if (yaml.syntaxErrors.length > 0) return { diagnostics: yaml.syntaxErrors };
  const { diagnostics, report } = collectDiagnostics(file);
  const root = yaml.value;
  if (!isRecord(root)) {
    report(
      "not-a-mapping",
      "error",
      "the workflow is not a mapping: start with 'on:' and 'jobs:' keys",
      yaml.positionOf([]),
    );
    return { diagnostics };
  }
  // YAML 1.1 decoders read a bare `on` key as boolean true; accept that spelling too.
  const on = root.on ?? root.true;
  if (on === undefined || on === null)
    report("on-missing", "error", "the workflow has no 'on:': add the events that start it", yaml.positionOf([]));
  const workflow: Workflow = {
    file,
    on: normaliseOn(on),
    env: record(root.env),
    defaults: runDefaults(root.defaults),
    jobs: [],
    raw: root,
  };
  const name = text(root.name);
  if (name !== undefined) workflow.name = name;
  if (root.jobs === undefined || root.jobs === null) {
    report("jobs-missing", "error", "the workflow has no 'jobs:': add at least one job", yaml.positionOf([]));
  } else if (!isRecord(root.jobs)) {
    report("jobs-not-mapping", "error", "'jobs' is not a mapping: write 'job-id:' entries", yaml.positionOf(["jobs"]));
  } else {
    for (const [id, raw] of Object.entries(root.jobs)) workflow.jobs.push(buildJob(id, raw, yaml, report));
    if (workflow.jobs.length === 0)
      report("jobs-missing", "error", "'jobs' is empty: add at least one job", yaml.positionOf(["jobs"]));
    diagnostics.push(...checkNeedsGraph(workflow.jobs, file));
  }
  checkFilterPatterns(workflow, yaml, report);
  diagnostics.push(...checkExpressions(yaml));
  diagnostics.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
  return { workflow, diagnostics };
}
