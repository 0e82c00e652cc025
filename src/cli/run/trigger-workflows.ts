import type { Coordinator } from "../../coordinator/index.js";
import {
  type Diagnostic,
  parseWorkflow,
  planJobs,
  resolveDispatchInputs,
  type TriggerEvent,
  type Workflow,
  workflowTriggers,
} from "../../workflow/index.js";

// `run`'s own road from an event to runs, shaped like the coordinator's trigger path so it can be
// replaced by `coordinator.runs.trigger(...)` when that lands.

export interface TriggerInput {
  repo: string;
  workflows: readonly { file: string; source: string }[];
  /** `inputs` are the workflow_dispatch inputs as given. */
  event: TriggerEvent;
  vars: Record<string, string>;
  secrets: Record<string, string>;
}

/** What the event did to one workflow: a run, an error, or the reason it was skipped. */
export interface TriggerOutcome {
  workflow: string;
  runId?: number;
  error?: string;
  skipped?: string;
  diagnostics: Diagnostic[];
}

const ACTOR = "runnerpool";

function errorsOf(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === "error");
}

/** Parses, filters, plans and creates one run per workflow the event triggers. */
export function triggerWorkflows(coordinator: Coordinator, input: TriggerInput): TriggerOutcome[] {
  return input.workflows.map(({ file, source }) => {
    const out: TriggerOutcome = { workflow: file, diagnostics: [] };
    const parsed = parseWorkflow(source, file);
    out.diagnostics.push(...parsed.diagnostics);
    if (!parsed.workflow || errorsOf(parsed.diagnostics).length > 0) out.error = `${file}: not a workflow`;
    else triggerOne(coordinator, input, parsed.workflow, out);
    return out;
  });
}

function triggerOne(coordinator: Coordinator, input: TriggerInput, workflow: Workflow, out: TriggerOutcome): void {
  const { event } = input;
  const file = out.workflow;
  if (!workflowTriggers(workflow, event)) {
    out.skipped = `not triggered by ${event.name} on ${event.ref}`;
    return;
  }
  const dispatchName = event.name === "workflow_dispatch";
  const dispatch = resolveDispatchInputs(workflow, dispatchName ? (event.inputs ?? {}) : {});
  if (errorsOf(dispatch.diagnostics).length > 0) {
    out.diagnostics.push(...errorsOf(dispatch.diagnostics));
    out.error = "the workflow_dispatch inputs were refused";
    return;
  }
  const github = {
    event_name: event.name,
    ref: event.ref,
    ref_name: event.ref.replace(/^refs\/(heads|tags)\//, ""),
    ref_type: event.ref.startsWith("refs/tags/") ? "tag" : "branch",
    sha: event.sha,
    repository: input.repo,
    repository_owner: input.repo.split("/")[0],
    workflow: workflow.name ?? file,
    actor: ACTOR,
  };
  const plan = planJobs(workflow, { github, vars: input.vars, inputs: dispatch.inputs });
  if (errorsOf(plan.diagnostics).length > 0) {
    out.diagnostics.push(...errorsOf(plan.diagnostics));
    out.error = "the workflow did not plan";
    return;
  }
  const { runId } = coordinator.createRun({
    repo: input.repo,
    workflowFile: file,
    workflowName: workflow.name ?? file,
    event: {
      ...event,
      ...(dispatchName
        ? { inputs: Object.fromEntries(Object.entries(dispatch.inputs).map(([k, v]) => [k, String(v)])) }
        : {}),
    },
    jobs: plan.jobs,
    secrets: input.secrets,
    vars: input.vars,
    actor: ACTOR,
  });
  out.runId = runId;
}
