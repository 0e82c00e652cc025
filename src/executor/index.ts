// Runs one job: its steps, actions and file commands on a backend (host, sandbox, docker, podman), with checkout.
export type {
  Backend,
  DisposeReport,
  ExecOptions,
  JobEnvironment,
  PrepareOptions,
} from "./backend.js";
export {
  type ContainerBackendOptions,
  type ContainerEngine,
  containerEngineProblem,
  createContainerBackend,
} from "./backends/container-backend.js";
export { createDockerBackend, type DockerBackendOptions } from "./backends/docker.js";
export { createHostBackend, type HostBackendOptions, SECRETS_VARIABLE } from "./backends/host.js";
export { ensureImage, type ImagePull, type PullPolicy, pullPolicies } from "./backends/image-pull.js";
export { createPodmanBackend, type PodmanBackendOptions } from "./backends/podman.js";
export {
  createSandboxBackend,
  isSandboxAvailable,
  SANDBOX_PATHS,
  type SandboxBackendOptions,
} from "./backends/sandbox.js";
export {
  type CheckoutObservation,
  type CheckoutOptions,
  type CheckoutResult,
  checkout,
  type GitConfigEntries,
  type GitPolicy,
  inspectMirror,
  MirrorCache,
  type MirrorCacheOptions,
  type MirrorEnsureOptions,
  type MirrorHealth,
} from "./git/index.js";
export type { ActionSourceOptions, JobOutcome, JobRequest, RunJobOptions } from "./job-request.js";
export { runJob } from "./run-job.js";
export type { JobSink } from "./sink.js";
export {
  builtinActionKey,
  builtinActionNames,
  findBuiltinAction,
  registerBuiltinAction,
} from "./steps/builtin-actions.js";
export type { PostStep, StepContext, StepOutcome, StepRunner, StepServices } from "./steps/step-runner.js";
export { removeTree } from "./workspace.js";
