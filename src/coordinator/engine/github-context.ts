import type { JsonObject } from "@bufbuild/protobuf";
import type { TriggerEvent } from "../../workflow/index.js";
import type { JobRecord, RunRecord } from "../store/records.js";

export interface ContextInput {
  run: RunRecord;
  job: JobRecord;
  /** Instance root URL with a trailing slash (Gitea's ROOT_URL). */
  serverUrl: string;
  /** Where `uses: owner/repo@v` actions come from (`gitea_default_actions_url`). */
  defaultActionsUrl: string;
}

const ZERO_SHA = "0".repeat(40);

export function withTrailingSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

function refName(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, "");
}

/** The webhook-shaped payload act reads as `github.event` (only what a push or dispatch can know here). */
function eventPayload(run: RunRecord, serverUrl: string): JsonObject {
  const event = JSON.parse(run.eventJson) as TriggerEvent;
  const [owner = "", name = ""] = run.repo.split("/");
  const repository = {
    full_name: run.repo,
    name,
    owner: { login: owner, username: owner },
    html_url: `${serverUrl}${run.repo}`,
    clone_url: `${serverUrl}${run.repo}.git`,
  };
  const sender = { login: run.actor, username: run.actor };
  if (event.name === "workflow_dispatch") {
    return { inputs: { ...(event.inputs ?? {}) }, ref: event.ref, repository, sender, workflow: run.workflowFile };
  }
  return {
    ref: event.ref,
    // The previous tip is not known to the coordinator; zeros is GitHub's "no previous commit".
    before: ZERO_SHA,
    after: event.sha,
    repository,
    head_commit: { id: event.sha },
    commits: [],
    pusher: { name: run.actor, username: run.actor },
    sender,
  };
}

/** The `github` context as the server knows it, for job-level `if:` evaluation. */
export function githubContext(input: ContextInput): JsonObject {
  const { run, job, serverUrl } = input;
  return {
    actor: run.actor,
    api_url: `${serverUrl}api/v1`,
    event: eventPayload(run, serverUrl),
    event_name: run.event,
    job: job.jobId,
    ref: run.ref,
    ref_name: refName(run.ref),
    ref_type: run.ref.startsWith("refs/tags/") ? "tag" : "branch",
    repository: run.repo,
    repository_owner: run.repo.split("/")[0] ?? "",
    run_id: String(run.id),
    run_number: String(run.runNumber),
    run_attempt: "1",
    server_url: serverUrl,
    sha: run.sha,
    workflow: run.workflowFile,
  };
}

/** Task.context, key for key what Gitea's generateTaskContext sends (forge-protocol section 4.2). */
export function taskContext(input: ContextInput, token: string): JsonObject {
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
    ...githubContext(input),
    ref_protected: false,
    repositoryUrl: `${serverUrl}${run.repo}`,
    retention_days: "90",
    secret_source: "Actions",
    triggering_actor: run.actor,
    gitea_default_actions_url: input.defaultActionsUrl,
    token,
  };
}
