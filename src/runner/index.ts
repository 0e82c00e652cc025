// One runner instance: registration (`.runner`), poller, task lifecycle and reporting to the forge.
export type { ExecuteJob, JobExecution } from "./execute-job.js";
export type { LogRowInput, RunnerForge } from "./forge.js";
export { freeBytes } from "./free-bytes.js";
export { formatLogLine } from "./log-format.js";
export { refusal, type TaskPolicy } from "./policy.js";
export { type DiskFloor, Poller, type PollerOptions, type PollerStatus } from "./poller.js";
export {
  loadRegistration,
  type RegisterOptions,
  type Registration,
  register,
  saveRegistration,
} from "./registration.js";
export { type CloseReport, Reporter, type ReporterFinal, type ReporterOptions } from "./reporter.js";
export {
  type RunnerEvents,
  type RunnerHandle,
  type RunnerStatus,
  type StartRunnerOptions,
  startRunner,
  type TaskFinishedEvent,
  type TaskStartedEvent,
} from "./runner.js";
export type { RunnerSettings } from "./runner-settings.js";
export { canTransition, RUNNER_STATES, type RunnerState, transition } from "./runner-state.js";
export { countSteps, decodeTask } from "./task-request.js";
export {
  DEFAULT_TASK_TIMEOUT_MS,
  type ReportTimings,
  type RunTaskOptions,
  runTask,
  type TaskSummary,
} from "./task-runner.js";
