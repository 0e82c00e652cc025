import { type Job, resolveDispatchInputs, type Workflow } from "../workflow/index.js";
import type { JobRequest } from "./job-request.js";

/** The contexts that stay the same for the whole job (`env`, `job` and `steps` change as steps run). */
export interface StaticContexts {
  github: Record<string, unknown>;
  gitea: Record<string, unknown>;
  vars: Record<string, string>;
  secrets: Record<string, string>;
  needs: Record<string, { outputs: Record<string, string>; result: string }>;
  matrix: Record<string, unknown>;
  strategy: Record<string, unknown>;
  inputs: Record<string, unknown>;
  runner: Record<string, string>;
  /** The `job` context without `status` (added as the job runs): container and services. */
  job: Record<string, unknown>;
}

export interface StaticContextInput {
  request: JobRequest;
  workflow: Workflow;
  job: Job;
  runnerName: string;
  debug: boolean;
  /** Known once the backend prepared the job. */
  paths?: { workspace: string; temp: string; toolCache: string; eventPath: string };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function runnerArch(): string {
  const arch: Record<string, string> = { x64: "X64", arm64: "ARM64", arm: "ARM", ia32: "X86" };
  return arch[process.arch] ?? process.arch.toUpperCase();
}

/** A Gitea payload pins each matrix key to a one-element list (`encodeMatrix`); unwrap it. */
export function pinnedMatrix(job: Job): Record<string, unknown> {
  const matrix = job.strategy?.matrix;
  if (!isRecord(matrix)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(matrix)) {
    if (key === "include" || key === "exclude") continue;
    out[key] = Array.isArray(value) ? value[0] : value;
  }
  return out;
}

export function buildStaticContexts(input: StaticContextInput): StaticContexts {
  const { request, job, paths } = input;
  const event = isRecord(request.context.event) ? request.context.event : {};
  const github: Record<string, unknown> = {
    ...request.context,
    event,
    job: stringOr(request.context.job, job.id),
    workflow: stringOr(request.context.workflow, input.workflow.name ?? ""),
    workspace: paths?.workspace ?? "",
    event_path: paths?.eventPath ?? "",
  };
  const strategy = job.strategy ?? {};
  return {
    github,
    gitea: github,
    vars: { ...request.vars },
    secrets: { ...request.secrets },
    needs: Object.fromEntries(
      Object.entries(request.needs).map(([id, need]) => [id, { outputs: { ...need.outputs }, result: need.result }]),
    ),
    matrix: pinnedMatrix(job),
    strategy: {
      "fail-fast": strategy["fail-fast"] ?? true,
      "job-index": 0,
      "job-total": 1,
      "max-parallel": strategy["max-parallel"] ?? 1,
    },
    inputs: inputsContext(input.workflow, event),
    job: { container: { id: "", network: "" }, services: {} },
    runner: {
      os: "Linux",
      arch: runnerArch(),
      name: input.runnerName,
      temp: paths?.temp ?? "",
      tool_cache: paths?.toolCache ?? "",
      environment: "self-hosted",
      debug: input.debug ? "1" : "",
    },
  };
}

/**
 * `inputs` of a dispatched run, typed by `on.workflow_dispatch.inputs` (a boolean input is a
 * boolean, defaults fill what was not given); the forge sends the values as strings.
 */
function inputsContext(workflow: Workflow, event: Record<string, unknown>): Record<string, unknown> {
  const given = isRecord(event.inputs) ? event.inputs : {};
  if (workflow.on.workflow_dispatch === undefined) return { ...given };
  const text = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, contextText(v)]));
  return { ...given, ...resolveDispatchInputs(workflow, text).inputs };
}

/** The context value as a string ("" for absent), for environment variables. */
export function contextText(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
}

function stringOr(value: unknown, fallback: string): string {
  const text = contextText(value);
  return text === "" ? fallback : text;
}
