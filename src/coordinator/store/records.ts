import { JOB_RESULTS, type JobResult } from "../../lib/index.js";

export type { JobResult };

/** Gitea's job states: blocked (needs not done), waiting (queued), running, then a result. */
export type JobStatus = "blocked" | "waiting" | "running" | JobResult;
export type TaskStatus = "running" | JobResult;
export type StepStatus = "waiting" | "running" | JobResult;
export type RunStatus = "waiting" | "running" | JobResult;

export const FINAL_STATUSES: ReadonlySet<string> = new Set<JobResult>(JOB_RESULTS);

export function isFinal(status: string): status is JobResult {
  return FINAL_STATUSES.has(status);
}

/** What the store keeps of a secret: never the secret itself. */
export interface HashedSecret {
  salt: string;
  hash: string;
  /** Lets a secret be looked up without storing it (Gitea's token_last_eight). */
  lastEight: string;
}

/** Times are epoch milliseconds throughout the store. */
export interface RunnerRecord {
  id: number;
  uuid: string;
  name: string;
  tokenHash: string;
  tokenSalt: string;
  labels: string[];
  version: string;
  ephemeral: boolean;
  created: number;
  lastOnline: number | null;
  lastActive: number | null;
  deleted: number | null;
}

export interface RunRecord {
  id: number;
  repo: string;
  workflowFile: string;
  workflowName: string;
  runNumber: number;
  event: string;
  /** The TriggerEvent as given to createRun. */
  eventJson: string;
  ref: string;
  sha: string;
  inputs: Record<string, string>;
  vars: Record<string, string>;
  actor: string;
  status: RunStatus;
  cancelled: boolean;
  created: number;
  started: number | null;
  stopped: number | null;
}

export interface JobRecord {
  id: number;
  runId: number;
  jobId: string;
  name: string;
  matrix: Record<string, unknown>;
  runsOn: string[];
  needs: string[];
  ifExpr: string | boolean | undefined;
  payload: string;
  stepNames: string[];
  status: JobStatus;
  taskId: number | null;
  runnerId: number | null;
  unservable: string | null;
  /** 1, then one more each time a lost job is queued again. */
  attempt: number;
  created: number;
  queued: number | null;
  started: number | null;
  stopped: number | null;
  updated: number;
}

export interface TaskRecord {
  id: number;
  jobId: number;
  runnerId: number;
  tokenHash: string;
  tokenSalt: string;
  tokenLastEight: string;
  status: TaskStatus;
  /** The job's attempt this task ran. */
  attempt: number;
  /** The `x-runner-request-key` of the FetchTask that picked it (Forgejo's retry key), if any. */
  requestKey: string | null;
  logLength: number;
  logArchived: boolean;
  started: number;
  stopped: number | null;
  updated: number;
}

export interface StepRecord {
  taskId: number;
  index: number;
  name: string;
  status: StepStatus;
  logIndex: number;
  logLength: number;
  started: number | null;
  stopped: number | null;
}

export interface LogRowRecord {
  index: number;
  time: number;
  content: string;
}
