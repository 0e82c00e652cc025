/**
 * The executable workflow model, built from the decoded YAML (not from @actions/workflow-parser's
 * typed model, which drops fields a runner needs; see shared/docs/workflow-libs.md).
 * Values that may hold `${{ }}` stay strings/unknown here and are evaluated where they are used.
 */

/** A problem in a user document, with a 1-based position when there is one. */
export interface Diagnostic {
  code: string;
  severity: "error" | "warning";
  message: string;
  file: string;
  line?: number;
  col?: number;
}

export interface Position {
  line: number;
  col: number;
}

export interface RunDefaults {
  shell?: string;
  workingDirectory?: string;
}

export interface Step {
  /** 0-based index in the job's `steps:` list (the StepState id on the wire). */
  index: number;
  id?: string;
  name?: string;
  if?: string | boolean;
  run?: string;
  uses?: string;
  shell?: string;
  with: Record<string, unknown>;
  env: Record<string, unknown>;
  workingDirectory?: string;
  continueOnError?: boolean | string;
  timeoutMinutes?: number | string;
  position?: Position;
}

export interface Job {
  /** YAML key under `jobs:`. */
  id: string;
  name?: string;
  /** As written: string, list, `{group, labels}` flattened to a list; may hold expressions. */
  runsOn: string[];
  needs: string[];
  if?: string | boolean;
  env: Record<string, unknown>;
  defaults: RunDefaults;
  outputs: Record<string, string>;
  timeoutMinutes?: number | string;
  continueOnError?: boolean | string;
  /** Raw `strategy` mapping (matrix, fail-fast, max-parallel); expanded by planJobs. */
  strategy?: Record<string, unknown>;
  container?: unknown;
  services?: unknown;
  steps: Step[];
  /** Reusable-workflow call (`jobs.<id>.uses`); such a job has no steps. */
  uses?: string;
  /** The job's decoded YAML mapping, kept for payload generation. */
  raw: Record<string, unknown>;
  position?: Position;
}

export interface Workflow {
  file: string;
  name?: string;
  /** Normalised `on:` mapping: event name -> its filter mapping (or {} when given as a bare name). */
  on: Record<string, Record<string, unknown>>;
  env: Record<string, unknown>;
  defaults: RunDefaults;
  jobs: Job[];
  /** The whole decoded document, kept for payload generation. */
  raw: Record<string, unknown>;
}

export interface ParseResult {
  /** Undefined when the document could not be read at all (YAML syntax error, not a mapping). */
  workflow?: Workflow;
  diagnostics: Diagnostic[];
}

/** One job of a run after matrix expansion: what the coordinator queues and sends as a task. */
export interface PlannedJob {
  /** YAML key; matrix jobs share it. */
  jobId: string;
  /** Display name, e.g. `build (linux, 18)`. */
  name: string;
  matrix: Record<string, unknown>;
  /** Interpolated labels; every entry must be one of a runner's labels. */
  runsOn: string[];
  needs: string[];
  /** Job-level `if`, unevaluated (the coordinator evaluates it once needs are done). */
  if?: string | boolean;
  /** YAML of a single-job workflow shaped like Gitea's (`needs` erased, matrix pinned). */
  payload: string;
  /**
   * The matrix reads `needs`, so it can only be expanded once those jobs finish: this is one
   * placeholder (matrix `{}`, raw strategy in the payload); re-plan it with `planJob(…, {needs})`.
   */
  deferredMatrix?: boolean;
}

/** The event that starts a run. */
export interface TriggerEvent {
  name: "push" | "workflow_dispatch";
  /** Full ref: refs/heads/x or refs/tags/y. */
  ref: string;
  sha: string;
  /** Files changed by a push, for `paths` filters; undefined = unknown (filters pass). */
  changedFiles?: string[];
  inputs?: Record<string, string>;
}
