import type { PushOutcome } from "./engine/events.js";
import type { CreatedRun, CreateRunInput } from "./engine/run-engine.js";
import type { TriggerInput, TriggerOutcome } from "./engine/trigger.js";
import type { JobView, QueueGroup, RunnerView, RunView } from "./engine/views.js";
import type { DispatchRequest, RerunRequest } from "./git/dispatch.js";
import type { TaskTokenInfo } from "./service/task-token-auth.js";

/** Starting and stopping runs. */
export interface RunsPort {
  /** THE trigger path: parses, filters, plans and creates one run per triggered workflow. */
  trigger(input: TriggerInput): TriggerOutcome[];
  /** workflow_dispatch of a hosted repository's workflow at a ref, through `trigger`; throws why not. */
  dispatch(request: DispatchRequest): Promise<TriggerOutcome>;
  /** A new run of a finished run's workflow file, commit, event, vars and actor, through `trigger`. */
  rerun(request: RerunRequest): Promise<TriggerOutcome>;
  /** Creates a run of jobs planned elsewhere (tests, benchmarks). */
  create(input: CreateRunInput): CreatedRun;
  cancelRun(runId: number): boolean;
  cancelJob(jobId: number): boolean;
  /** Resolves when the run is final; rejects when `signal` aborts or the coordinator closes. */
  waitForRun(runId: number, signal?: AbortSignal): Promise<RunView>;
}

/** Registering and removing runners. */
export interface RunnersPort {
  /** The active registration token, created on first use (reusable, like Gitea >= 1.21). */
  registrationToken(): string;
  /** Replaces the registration token; the old one stops working for new registrations. */
  createRegistrationToken(): string;
  list(): RunnerView[];
  /** Removes a runner: its uuid/token stop working at once; a task it was running is lost when its lease runs out. */
  delete(runnerId: number): boolean;
}

/** What the coordinator knows, as views (read-only). */
export interface ReadPort {
  getRun(runId: number): RunView | undefined;
  /** Newest first. */
  listRuns(options?: { limit?: number }): RunView[];
  getJob(jobId: number): JobView | undefined;
  /** The job's log lines: rows streamed by the runner, merged with the coordinator's own messages. */
  jobLog(jobId: number): string[];
  queueByLabels(): QueueGroup[];
  unservableReason(jobId: number): string | undefined;
  /** FetchTask calls currently held open waiting for work (runners idle right now). */
  heldFetches(): number;
}

/** The git hosting: where repositories live and who may push. */
export interface GitHostingPort {
  /** Where the served repositories live, when git hosting is on. */
  readonly reposDir: string | undefined;
  /** A new push token (the only valid one from now on); only its hash is stored. */
  createPushToken(): string;
  verifyPushToken(token: string): boolean;
  /** What recent pushes started or failed to start (newest last, at most 100). */
  pushOutcomes(): PushOutcome[];
}

/** Task tokens (GITHUB_TOKEN) as credentials, for the artifact API and git fetches of jobs. */
export interface TaskTokensPort {
  /** The task a token belongs to while that task runs; undefined for unknown, wrong or finished tokens. */
  authenticate(token: string): TaskTokenInfo | undefined;
}

/** The history part of the read side: what a finished coordinator database still answers. */
export type RunHistoryPort = Pick<ReadPort, "getRun" | "listRuns" | "getJob" | "jobLog">;
