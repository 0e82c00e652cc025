// The embedded forge: runs, jobs and the runner protocol (Gitea semantics) on SQLite, git hosting, artifacts.
export {
  ARTIFACT_API_PREFIX,
  type ArtifactHandler,
  type ArtifactHandlerOptions,
  createArtifactHandler,
  type TaskTokenAuthority,
} from "./artifacts/artifact-http.js";
export { ArtifactStore, type ArtifactStoreOptions, type ArtifactUploader } from "./artifacts/artifact-store.js";
export {
  type ArtifactFile,
  type ArtifactLimits,
  type ArtifactRecord,
  checkArtifactName,
  checkArtifactPath,
  DEFAULT_ARTIFACT_LIMITS,
} from "./artifacts/artifacts.js";
export { type Coordinator, type CoordinatorOptions, createCoordinator } from "./coordinator.js";
export type {
  CoordinatorEventMap,
  CoordinatorEvents,
  JobEvent,
  LogEvent,
  PushOutcome,
  RunEvent,
  StepEvent,
} from "./engine/events.js";
export type { CreatedRun, CreateRunInput } from "./engine/run-engine.js";
export type { TriggerInput, TriggerOutcome, WorkflowSource } from "./engine/trigger.js";
export type { JobView, QueueGroup, RunnerActivity, RunnerView, RunView, StepView } from "./engine/views.js";
export type { DispatchRequest, RerunRequest } from "./git/dispatch.js";
export {
  createGitHttpHandler,
  type GitAuthRequest,
  type GitHttpHandler,
  type GitHttpOptions,
  type GitPushEvent,
  type GitRefUpdate,
} from "./git/git-http.js";
export {
  bareRepoPath,
  changedPaths,
  createBareRepo,
  HOSTED_REPO_CONFIG,
  type ImportedRepo,
  importWorkingTree,
  readRefs,
  repoSlug,
} from "./git/git-repos.js";
export { workflowsAt } from "./git/push-trigger.js";
export type {
  GitHostingPort,
  ReadPort,
  RunHistoryPort,
  RunnersPort,
  RunsPort,
  TaskTokensPort,
} from "./ports.js";
export { openRunHistory, type RunHistory } from "./run-history.js";
export {
  type CoordinatorServer,
  type CoordinatorServerOptions,
  type RouteHandler,
  startCoordinatorServer,
} from "./service/server.js";
export type { TaskTokenInfo } from "./service/task-token-auth.js";
export { openStore, type Store } from "./store/db.js";
export type { JobResult, JobStatus, RunStatus, StepStatus, TaskStatus } from "./store/records.js";
