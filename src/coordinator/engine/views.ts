import { labelsCover } from "../../workflow/index.js";
import type { Store } from "../store/db.js";
import type {
  JobRecord,
  JobResult,
  JobStatus,
  RunnerRecord,
  RunRecord,
  RunStatus,
  StepStatus,
} from "../store/records.js";
import { isFinal } from "../store/records.js";

export interface StepView {
  index: number;
  name: string;
  status: StepStatus;
  result?: JobResult;
  /** Before continue-on-error; the Gitea protocol does not carry it, so it is never set by this forge. */
  outcome?: JobResult;
  startedAt?: string;
  stoppedAt?: string;
  /** Task-wide index of the step's first log row, and its row count. */
  logIndex: number;
  logLength: number;
}

export interface JobView {
  /** Database id (used by every query function). */
  id: number;
  runId: number;
  /** YAML key; matrix siblings share it. */
  jobId: string;
  name: string;
  matrix: Record<string, unknown>;
  runsOn: string[];
  needs: string[];
  status: JobStatus;
  result?: JobResult;
  runnerId?: number;
  runnerName?: string;
  taskId?: number;
  /** When the job entered the queue (creation time while still blocked). */
  queuedAt: string;
  startedAt?: string;
  stoppedAt?: string;
  outputs: Record<string, string>;
  steps: StepView[];
  /** Set when the job failed because no runner's labels cover its runs-on. */
  unservable?: string;
  /** 1, or more when the job ran again after its runner was lost (earlier attempts' logs are kept). */
  attempt: number;
}

export interface RunView {
  id: number;
  repo: string;
  workflowFile: string;
  workflowName: string;
  runNumber: number;
  event: string;
  ref: string;
  sha: string;
  actor: string;
  status: RunStatus;
  result?: JobResult;
  createdAt: string;
  startedAt?: string;
  stoppedAt?: string;
  jobs: JobView[];
}

/** Gitea's runner status: offline after 1 min of silence, active if it worked on a task in the last 10 s. */
export type RunnerActivity = "offline" | "idle" | "active";

export interface RunnerView {
  id: number;
  uuid: string;
  name: string;
  labels: string[];
  version: string;
  ephemeral: boolean;
  status: RunnerActivity;
  createdAt: string;
  lastOnlineAt?: string;
  lastActiveAt?: string;
}

/** Waiting jobs that share one runs-on list. */
export interface QueueGroup {
  runsOn: string[];
  jobIds: number[];
  oldestQueuedAt: string;
  /** Names of registered runners whose labels cover runsOn (empty: nobody can serve it). */
  runners: string[];
}

const iso = (t: number | null | undefined): string | undefined => (t == null ? undefined : new Date(t).toISOString());

const OFFLINE_AFTER_MS = 60_000;
const ACTIVE_WITHIN_MS = 10_000;

export function runnerView(r: RunnerRecord, now = Date.now()): RunnerView {
  let status: RunnerActivity = "idle";
  if (r.lastOnline === null || now - r.lastOnline > OFFLINE_AFTER_MS) status = "offline";
  else if (r.lastActive !== null && now - r.lastActive <= ACTIVE_WITHIN_MS) status = "active";
  return {
    id: r.id,
    uuid: r.uuid,
    name: r.name,
    labels: r.labels,
    version: r.version,
    ephemeral: r.ephemeral,
    status,
    createdAt: iso(r.created)!,
    ...(r.lastOnline !== null ? { lastOnlineAt: iso(r.lastOnline) } : {}),
    ...(r.lastActive !== null ? { lastActiveAt: iso(r.lastActive) } : {}),
  };
}

function stepViews(store: Store, job: JobRecord): StepView[] {
  if (job.taskId === null) {
    // Never ran: show the payload's steps, ended the way the job ended.
    const status: StepStatus = !isFinal(job.status) ? "waiting" : job.status === "cancelled" ? "cancelled" : "skipped";
    return job.stepNames.map((name, index) => ({
      index,
      name,
      status,
      ...(isFinal(status) ? { result: status } : {}),
      logIndex: 0,
      logLength: 0,
    }));
  }
  return store.tasks.steps(job.taskId).map((s) => ({
    index: s.index,
    name: s.name,
    status: s.status,
    ...(isFinal(s.status) ? { result: s.status } : {}),
    ...(s.started !== null ? { startedAt: iso(s.started) } : {}),
    ...(s.stopped !== null ? { stoppedAt: iso(s.stopped) } : {}),
    logIndex: s.logIndex,
    logLength: s.logLength,
  }));
}

export function jobView(store: Store, job: JobRecord): JobView {
  const runner = job.runnerId === null ? undefined : store.runners.get(job.runnerId);
  return {
    id: job.id,
    runId: job.runId,
    jobId: job.jobId,
    name: job.name,
    matrix: job.matrix,
    runsOn: job.runsOn,
    needs: job.needs,
    status: job.status,
    ...(isFinal(job.status) ? { result: job.status } : {}),
    ...(runner ? { runnerId: runner.id, runnerName: runner.name } : {}),
    ...(job.taskId !== null ? { taskId: job.taskId } : {}),
    queuedAt: iso(job.queued ?? job.created)!,
    ...(job.started !== null ? { startedAt: iso(job.started) } : {}),
    ...(job.stopped !== null ? { stoppedAt: iso(job.stopped) } : {}),
    outputs: job.taskId === null ? {} : store.tasks.outputs(job.taskId),
    steps: stepViews(store, job),
    ...(job.unservable !== null ? { unservable: job.unservable } : {}),
    attempt: job.attempt,
  };
}

export function runView(store: Store, run: RunRecord): RunView {
  return {
    id: run.id,
    repo: run.repo,
    workflowFile: run.workflowFile,
    workflowName: run.workflowName,
    runNumber: run.runNumber,
    event: run.event,
    ref: run.ref,
    sha: run.sha,
    actor: run.actor,
    status: run.status,
    ...(isFinal(run.status) ? { result: run.status } : {}),
    createdAt: iso(run.created)!,
    ...(run.started !== null ? { startedAt: iso(run.started) } : {}),
    ...(run.stopped !== null ? { stoppedAt: iso(run.stopped) } : {}),
    jobs: store.jobs.ofRun(run.id).map((j) => jobView(store, j)),
  };
}

export function queueByLabels(store: Store): QueueGroup[] {
  const runners = store.runners.list();
  const groups = new Map<string, QueueGroup>();
  for (const q of store.jobs.waiting()) {
    const key = JSON.stringify(q.runsOn);
    let g = groups.get(key);
    if (!g) {
      g = {
        runsOn: q.runsOn,
        jobIds: [],
        oldestQueuedAt: iso(q.queued)!,
        runners: runners.filter((r) => labelsCover(q.runsOn, r.labels)).map((r) => r.name),
      };
      groups.set(key, g);
    }
    g.jobIds.push(q.id);
  }
  return [...groups.values()];
}
