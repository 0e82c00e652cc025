import type { ErrorCode } from "../lib/index.js";

// The operator API's wire types, declared once here and used by the server (api-handler.ts), the CLI
// client (api-client.ts) and, later, the dashboard. They are this module's own declarations: the
// composition root hands in the coordinator's and the pool's views, and tsc checks that they fit.

export const API_PREFIX = "/api/v1/";

export type ApiJobStatus = "blocked" | "waiting" | "running" | "success" | "failure" | "cancelled" | "skipped";
export type ApiRunStatus = Exclude<ApiJobStatus, "blocked">;
export type ApiResult = "success" | "failure" | "cancelled" | "skipped";

export interface ApiStep {
  index: number;
  name: string;
  status: ApiRunStatus;
  result?: ApiResult;
  startedAt?: string;
  stoppedAt?: string;
}

export interface ApiJob {
  /** The job's database id: what `runs logs JOB` takes. */
  id: number;
  runId: number;
  /** YAML key; matrix legs share it. */
  jobId: string;
  name: string;
  matrix: Record<string, unknown>;
  runsOn: string[];
  needs: string[];
  status: ApiJobStatus;
  result?: ApiResult;
  runnerName?: string;
  /** The pool role of the runner that ran it, when it is one of this pool's instances. */
  role?: string;
  queuedAt: string;
  startedAt?: string;
  stoppedAt?: string;
  outputs: Record<string, string>;
  steps: ApiStep[];
  unservable?: string;
}

export interface ApiRunSummary {
  id: number;
  repo: string;
  workflowFile: string;
  workflowName: string;
  runNumber: number;
  event: string;
  ref: string;
  sha: string;
  actor: string;
  status: ApiRunStatus;
  result?: ApiResult;
  createdAt: string;
  startedAt?: string;
  stoppedAt?: string;
}

export interface ApiRun extends ApiRunSummary {
  jobs: ApiJob[];
}

/** A list item: the run without its jobs, with its wall time and job counts. */
export interface ApiRunListItem extends ApiRunSummary {
  /** Created to stopped (or to now while it runs). */
  durationMs: number;
  jobs: { total: number; failed: number };
}

export interface ApiInstance {
  name: string;
  role: string;
  state: string;
  running: number;
  capacity: number;
  since: string;
  runnerId?: number;
  /** The jobs this instance runs now (embedded coordinator only). */
  jobs?: ApiRunningJob[];
}

export interface ApiRunningJob {
  id: number;
  runId: number;
  name: string;
  startedAt?: string;
}

export interface ApiRole {
  name: string;
  labels: string[];
  backend: string;
  min: number;
  max: number;
  capacity: number;
  paused: boolean;
  queued?: number;
  busySlots: number;
  idleSlots: number;
  restarts: number;
  lastError?: string;
  instances: ApiInstance[];
}

/** Jobs waiting for one runs-on, and why. */
export interface ApiQueueGroup {
  runsOn: string[];
  jobIds: number[];
  oldestQueuedAt: string;
  /** Registered runners whose labels cover runsOn. */
  runners: string[];
  /** Pool roles whose labels cover runsOn. */
  roles?: string[];
  reason?: string;
}

export interface ApiPoolStatus {
  forge: string;
  embedded: boolean;
  roles: ApiRole[];
  queue?: ApiQueueGroup[];
}

/** One job that has not started: waiting for a slot, or blocked by its needs. */
export interface ApiQueuedJob {
  id: number;
  runId: number;
  name: string;
  runsOn: string[];
  status: "waiting" | "blocked";
  queuedAt: string;
  roles: string[];
  reason: string;
}

/** One NDJSON line of `GET jobs/<id>/logs`: a log line, or the last line once the job is final (or not followed). */
export type ApiLogLine =
  | { index: number; text: string }
  | { end: true; status: ApiJobStatus; result?: ApiResult; lines: number };

export interface ApiDispatchRequest {
  /** `owner/name`; may be left out when the coordinator hosts exactly one repository. */
  repo?: string;
  workflow: string;
  ref?: string;
  inputs?: Record<string, string>;
}

export interface ApiStarted {
  runId: number;
  workflow: string;
}

/** One sample of the pool for the dashboard's charts: per role, slots in use and the queue's oldest wait. */
export interface ApiSample {
  /** Epoch milliseconds. */
  at: number;
  roles: Record<string, { busy: number; idle: number; queued: number; waitS: number }>;
}

/** Every route: its request body (undefined for reads) and its answer. */
export interface ApiRoutes {
  "GET pool": { request: undefined; response: ApiPoolStatus };
  "GET roles": { request: undefined; response: { roles: ApiRole[] } };
  "GET instances": { request: undefined; response: { instances: ApiInstance[] } };
  "GET queue": { request: undefined; response: { queue: ApiQueuedJob[] } };
  "GET runs": { request: undefined; response: { runs: ApiRunListItem[] } };
  "GET runs/:id": { request: undefined; response: ApiRun };
  "GET jobs/:id": { request: undefined; response: ApiJob };
  "GET history": { request: undefined; response: { intervalMs: number; samples: ApiSample[] } };
  "POST runs/:id/cancel": { request: Record<string, never>; response: { cancelled: boolean } };
  "POST runs/:id/rerun": { request: { failed?: boolean }; response: ApiStarted };
  "POST dispatch": { request: ApiDispatchRequest; response: ApiStarted };
  "POST drain": { request: { target: string }; response: { drained: string[] } };
}

/** Codes an error answer may carry: the pool's error codes plus the API's own. */
export type ApiErrorCode = ErrorCode | "UNAUTHENTICATED" | "FORBIDDEN" | "METHOD_NOT_ALLOWED" | "UNAVAILABLE";

/** What every failed request answers, with a 4xx/5xx status. */
export interface ApiError {
  error: { code: ApiErrorCode; message: string };
}
