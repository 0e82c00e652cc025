import type { JsonObject } from "@bufbuild/protobuf";
import { type TriggerEvent, WORKFLOW_DIRS } from "../../workflow/index.js";
import type { JobRecord, RunRecord } from "../store/records.js";

/** What the `github` context is made of: a run as it is created, and, once known, its ids and the job. */
export interface GithubContextInput {
  repo: string;
  workflowFile: string;
  /** The event as stored with the run (no changed paths). */
  event: TriggerEvent;
  actor: string;
  /** Instance root URL with a trailing slash (Gitea's ROOT_URL). */
  serverUrl: string;
  /** Unknown while planning: the run does not exist yet. */
  run?: { id: number; number: number };
  /** The job's YAML id; unknown while planning the whole workflow. */
  jobId?: string;
}

const ZERO_SHA = "0".repeat(40);

export function withTrailingSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

function refName(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, "");
}

/**
 * Gitea's `github.workflow` is the run's WorkflowID: the file's name inside the workflow directory
 * (`ci.yml`), not the workflow's `name:` and not its path from the repository root.
 */
export function workflowId(workflowFile: string): string {
  const dir = WORKFLOW_DIRS.find((d) => workflowFile.startsWith(`${d}/`));
  return dir === undefined ? workflowFile : workflowFile.slice(dir.length + 1);
}

/** The webhook-shaped payload act reads as `github.event` (only what a push or dispatch can know here). */
function eventPayload(input: GithubContextInput): JsonObject {
  const { event, repo, actor, serverUrl } = input;
  const [owner = "", name = ""] = repo.split("/");
  const repository = {
    full_name: repo,
    name,
    owner: { login: owner, username: owner },
    html_url: `${serverUrl}${repo}`,
    clone_url: `${serverUrl}${repo}.git`,
  };
  const sender = { login: actor, username: actor };
  if (event.name === "workflow_dispatch") {
    return { inputs: { ...(event.inputs ?? {}) }, ref: event.ref, repository, sender, workflow: input.workflowFile };
  }
  return {
    ref: event.ref,
    // The previous tip is not known to the coordinator; zeros is GitHub's "no previous commit".
    before: ZERO_SHA,
    after: event.sha,
    repository,
    head_commit: { id: event.sha },
    commits: [],
    pusher: { name: actor, username: actor },
    sender,
  };
}

/**
 * THE `github` context: planning (`if:`, matrix, runs-on), job-level `if:` on release and the task
 * all read this, so a workflow sees the same `github.*` wherever it looks.
 */
export function githubContext(input: GithubContextInput): JsonObject {
  const { event, repo, serverUrl } = input;
  return {
    actor: input.actor,
    api_url: `${serverUrl}api/v1`,
    event: eventPayload(input),
    event_name: event.name,
    ...(input.jobId === undefined ? {} : { job: input.jobId }),
    ref: event.ref,
    ref_name: refName(event.ref),
    ref_type: event.ref.startsWith("refs/tags/") ? "tag" : "branch",
    repository: repo,
    repository_owner: repo.split("/")[0] ?? "",
    ...(input.run === undefined ? {} : { run_id: String(input.run.id), run_number: String(input.run.number) }),
    run_attempt: "1",
    server_url: serverUrl,
    sha: event.sha,
    workflow: workflowId(input.workflowFile),
  };
}

/** The context input of a stored run and one of its jobs. */
export function runContextInput(run: RunRecord, job: JobRecord, serverUrl: string): GithubContextInput {
  return {
    repo: run.repo,
    workflowFile: run.workflowFile,
    event: JSON.parse(run.eventJson) as TriggerEvent,
    actor: run.actor,
    serverUrl,
    run: { id: run.id, number: run.runNumber },
    jobId: job.jobId,
  };
}

export interface TaskContextInput {
  run: RunRecord;
  job: JobRecord;
  serverUrl: string;
  /** Where `uses: owner/repo@v` actions come from (`gitea_default_actions_url`). */
  defaultActionsUrl: string;
}

/** Task.context, key for key what Gitea's generateTaskContext sends (forge-protocol section 4.2). */
export function taskContext(input: TaskContextInput, token: string): JsonObject {
  const { run, serverUrl } = input;
  return {
    action: "",
    action_path: "",
    action_ref: "",
    action_repository: "",
    action_status: "",
    base_ref: "",
    head_ref: "",
    env: "",
    event_path: "",
    graphql_url: "",
    path: "",
    workspace: "",
    ...githubContext(runContextInput(run, input.job, serverUrl)),
    ref_protected: false,
    repositoryUrl: `${serverUrl}${run.repo}`,
    retention_days: "90",
    secret_source: "Actions",
    triggering_actor: run.actor,
    gitea_default_actions_url: input.defaultActionsUrl,
    token,
  };
}
