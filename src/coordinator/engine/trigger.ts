import { errorMessage } from "../../lib/index.js";
import {
  type Diagnostic,
  formatDiagnostic,
  parseWorkflow,
  planJobs,
  resolveDispatchInputs,
  type TriggerEvent,
  type Workflow,
  workflowTriggers,
} from "../../workflow/index.js";
import { githubContext } from "./github-context.js";
import type { CreatedRun, CreateRunInput } from "./run-engine.js";

/** One workflow file of the triggering commit. */
export interface WorkflowSource {
  /** Path from the repository root, e.g. `.gitea/workflows/ci.yml`. */
  file: string;
  source: string;
}

/** An event that may start runs: what happened, where, by whom, and the workflows it may start. */
export interface TriggerInput {
  repo: string;
  workflows: readonly WorkflowSource[];
  /** `changedFiles` only decides `paths` filters; `inputs` are the workflow_dispatch inputs as given. */
  event: TriggerEvent;
  /** `github.actor`; default "runnerpool". */
  actor?: string;
  vars?: Record<string, string>;
  secrets?: Record<string, string>;
  /** Plan only these jobs (YAML ids; a re-run of failed jobs). Each must bring the jobs it needs. */
  onlyJobs?: readonly string[];
}

/** What the event did to one workflow: a run, an error, or the reason it was skipped. */
export interface TriggerOutcome {
  workflow: string;
  runId?: number;
  /** The workflow did not parse, its inputs were refused or it did not plan: nothing was started. */
  error?: string;
  /** Not triggered by this event (its `on:` filters do not match). */
  skipped?: string;
  /** Everything parsing, the inputs and planning said, warnings included. */
  diagnostics: Diagnostic[];
}

export interface TriggerDeps {
  createRun(input: CreateRunInput): CreatedRun;
  /** Current instance URL with a trailing slash. */
  serverUrl(): string;
}

function errorsOf(diagnostics: readonly Diagnostic[]): string | undefined {
  const errors = diagnostics.filter((d) => d.severity === "error");
  return errors.length === 0 ? undefined : errors.map((d) => formatDiagnostic(d, { severity: false })).join("; ");
}

/** The event as stored with a run: no changed paths; dispatch inputs resolved (defaults applied) as text. */
function storedEvent(event: TriggerEvent, inputs: Record<string, unknown>): TriggerEvent {
  const { name, ref, sha } = event;
  if (name !== "workflow_dispatch") return { name, ref, sha };
  return { name, ref, sha, inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, String(v)])) };
}

function triggerOne(deps: TriggerDeps, input: TriggerInput, workflow: Workflow, out: TriggerOutcome): void {
  const { event } = input;
  if (!workflowTriggers(workflow, event)) {
    out.skipped = `not triggered by ${event.name} on ${event.ref}`;
    return;
  }
  // Like the executor's `inputs`: a push sees the declared defaults, only a dispatch is checked.
  const dispatch = resolveDispatchInputs(workflow, event.name === "workflow_dispatch" ? (event.inputs ?? {}) : {});
  if (event.name === "workflow_dispatch") {
    out.diagnostics.push(...dispatch.diagnostics);
    out.error = errorsOf(dispatch.diagnostics);
    if (out.error !== undefined) return;
  }
  const actor = input.actor ?? "runnerpool";
  const stored = storedEvent(event, dispatch.inputs);
  const github = githubContext({
    repo: input.repo,
    workflowFile: out.workflow,
    event: stored,
    actor,
    serverUrl: deps.serverUrl(),
  });
  const vars = input.vars ?? {};
  const plan = planJobs(workflow, { github, vars, inputs: dispatch.inputs });
  out.diagnostics.push(...plan.diagnostics);
  out.error = errorsOf(plan.diagnostics);
  if (out.error !== undefined) return;
  const only = input.onlyJobs ? new Set(input.onlyJobs) : undefined;
  const jobs = only ? plan.jobs.filter((j) => only.has(j.jobId)) : plan.jobs;
  const { runId } = deps.createRun({
    repo: input.repo,
    workflowFile: out.workflow,
    workflowName: workflow.name ?? out.workflow,
    event: stored,
    jobs,
    vars,
    actor,
    ...(input.secrets ? { secrets: input.secrets } : {}),
  });
  out.runId = runId;
}

/**
 * THE trigger path: turns an event and the workflows of its commit into runs. Each workflow is parsed,
 * checked against the event's filters, given its dispatch inputs, planned with the same `github`
 * context its jobs will see, and created. One outcome per workflow; a workflow that fails never stops
 * the others.
 */
export function triggerRuns(deps: TriggerDeps, input: TriggerInput): TriggerOutcome[] {
  return input.workflows.map(({ file, source }) => {
    const out: TriggerOutcome = { workflow: file, diagnostics: [] };
    const parsed = parseWorkflow(source, file);
    out.diagnostics.push(...parsed.diagnostics);
    out.error = errorsOf(parsed.diagnostics) ?? (parsed.workflow ? undefined : `${file}: not a workflow`);
    if (out.error === undefined && parsed.workflow) {
      try {
        triggerOne(deps, input, parsed.workflow, out);
      } catch (err) {
        out.error = errorMessage(err);
      }
    }
    if (out.error === undefined) delete out.error;
    return out;
  });
}
