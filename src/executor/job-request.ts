import type { JobResult } from "../lib/index.js";
import type { Backend } from "./backend.js";
import type { GitPolicy } from "./git/git-policy.js";
import type { JobSink } from "./sink.js";

/** One job as a forge hands it over (decoded from runner.v1.Task), independent of the protocol. */
export interface JobRequest {
  /** YAML of a single-job workflow, shaped like Gitea's payload (needs erased). */
  payload: string;
  /** The `github` context as sent by the forge (Task.context). */
  context: Record<string, unknown>;
  secrets: Record<string, string>;
  vars: Record<string, string>;
  /** Needed job id -> its outputs and result. */
  needs: Record<string, { outputs: Record<string, string>; result: JobResult }>;
}

export interface RunJobOptions {
  request: JobRequest;
  backend: Backend;
  sink: JobSink;
  /** Aborting cancels the job: running processes are killed, remaining steps are cancelled. */
  signal: AbortSignal;
  /** Extra environment for every step (runner-wide envs). */
  env?: Record<string, string>;
  runnerName?: string;
  /** Names the job's directories; unique per running job (e.g. the task id). Default: a random id. */
  jobKey?: string;
  /**
   * Upper bound for a step that runs after the job was cancelled or timed out (`if: always()`);
   * the job's `cancel-timeout-minutes` may only shorten it. Default 5 minutes. Keep it below the
   * caller's own grace for a cancelled job.
   */
  cancelTimeoutMs?: number;
  /**
   * A host directory whose contents are copied into the fresh workspace before the first step, as
   * if checked out. For tests and local runs (`uses: ./action` without a checkout step); a forge
   * job normally starts from an empty workspace.
   */
  seedWorkspace?: string;
  /** Where and how `uses: owner/repo@ref` actions are fetched; see ActionSourceOptions. */
  actions?: ActionSourceOptions;
  /** The pool's checkout policy (`[git]`) and the host's mirror cache, for `actions/checkout`. */
  git?: GitPolicy;
  /** The role's `secrets_dir` on this host: the contents of its files are masked like secrets. */
  secretsDir?: string;
}

/** Remote actions: fetched over git, cached per host by resolved commit SHA. */
export interface ActionSourceOptions {
  /**
   * Base URL for `owner/repo` references; default the task's `gitea_default_actions_url`, else
   * https://github.com. A full-URL `uses:` (https://host/owner/repo@ref) ignores it.
   */
  defaultUrl?: string;
  /**
   * Tried before the default URL (and before a full-URL `uses:`' own host): `<mirror>/<owner>/<repo>`.
   * May be a `file://` URL or a local path; an action missing there falls back to the origin.
   */
  mirror?: string;
  /** Host directory of the cache; default `<os tmpdir>/runnerpool-actions`. */
  cacheDir?: string;
  /** Never contact a server: use only what the cache holds. */
  offline?: boolean;
}

export interface JobOutcome {
  result: JobResult;
  outputs: Record<string, string>;
  steps: { name: string; result: JobResult; outcome: JobResult }[];
}
