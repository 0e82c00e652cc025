import type { JobEnvironment } from "./backend.js";
import { contextText, type StaticContexts } from "./contexts.js";

/** Paths of one step's file commands, as the step sees them. */
export interface StepFilePaths {
  output: string;
  env: string;
  path: string;
  state: string;
  summary: string;
}

/**
 * The variables GitHub's and Gitea's runners set for every step (forge-protocol §8.2,
 * workflow-libs §4.1). They win over user `env:`, like GitHub's default variables do.
 */
export function githubEnvironment(
  contexts: StaticContexts,
  environment: JobEnvironment,
  files: StepFilePaths,
  step: { action: string },
): Record<string, string> {
  const g = contexts.github;
  const text = (key: string) => contextText(g[key]);
  const server = text("server_url").replace(/\/+$/, "");
  const env: Record<string, string> = {
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITEA_ACTIONS: "true",
    GITHUB_WORKSPACE: environment.workspace,
    GITHUB_SHA: text("sha"),
    GITHUB_REF: text("ref"),
    GITHUB_REF_NAME: text("ref_name"),
    GITHUB_REF_TYPE: text("ref_type"),
    GITHUB_REF_PROTECTED: text("ref_protected"),
    GITHUB_BASE_REF: text("base_ref"),
    GITHUB_HEAD_REF: text("head_ref"),
    GITHUB_REPOSITORY: text("repository"),
    GITHUB_REPOSITORY_OWNER: text("repository_owner"),
    GITHUB_RUN_ID: text("run_id"),
    GITHUB_RUN_NUMBER: text("run_number"),
    GITHUB_RUN_ATTEMPT: text("run_attempt") || "1",
    GITHUB_JOB: text("job"),
    GITHUB_ACTION: step.action,
    GITHUB_ACTOR: text("actor"),
    GITHUB_TRIGGERING_ACTOR: text("triggering_actor") || text("actor"),
    GITHUB_EVENT_NAME: text("event_name"),
    GITHUB_EVENT_PATH: text("event_path"),
    GITHUB_SERVER_URL: server,
    GITHUB_API_URL: text("api_url") || (server === "" ? "" : `${server}/api/v1`),
    GITHUB_GRAPHQL_URL: text("graphql_url"),
    GITHUB_WORKFLOW: text("workflow"),
    GITHUB_RETENTION_DAYS: text("retention_days"),
    GITEA_RUN_ID: text("run_id"),
    RUNNER_OS: contexts.runner.os ?? "Linux",
    RUNNER_ARCH: contexts.runner.arch ?? "",
    RUNNER_NAME: contexts.runner.name ?? "",
    RUNNER_TEMP: environment.temp,
    RUNNER_TOOL_CACHE: environment.toolCache,
    RUNNER_ENVIRONMENT: "self-hosted",
  };
  if (contexts.runner.debug === "1") env.RUNNER_DEBUG = "1";
  // Not the task token (`github.token`): that one reaches steps only through `secrets`.
  const runtimeToken = text("gitea_runtime_token");
  if (runtimeToken !== "") env.ACTIONS_RUNTIME_TOKEN = runtimeToken;
  const fileVars: [string, string][] = [
    ["OUTPUT", files.output],
    ["ENV", files.env],
    ["PATH", files.path],
    ["STATE", files.state],
    ["STEP_SUMMARY", files.summary],
  ];
  for (const [name, path] of fileVars) {
    env[`GITHUB_${name}`] = path;
    env[`GITEA_${name}`] = path;
  }
  return env;
}
