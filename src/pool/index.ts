// The pool: roles kept at their size by one supervisor, instance providers, and the operator's runbook.
export {
  ADMIN_PREFIX,
  type AdminAction,
  type AdminActions,
  type AdminError,
  adminToken,
  createAdminHandler,
  publishAdminUrl,
} from "./admin-api.js";
export { callAdmin, findAdmin } from "./admin-client.js";
export { type Coverage, type CoverageRow, planCoverage } from "./coverage.js";
export type { InstanceStatus } from "./instance.js";
export type { InstanceProvider, InstanceProviders, ProvidedInstance } from "./instance-provider.js";
export { canMoveInstance, INSTANCE_STATES, type InstanceState, moveInstance } from "./instance-state.js";
export { type ContainerProviderOptions, containerProvider } from "./providers/container.js";
export { type ExecutorFactory, type LocalProviderOptions, localProvider } from "./providers/local.js";
export { type WaitReason, whyWaiting } from "./queue-reason.js";
export { DEFAULT_IDLE_TIMEOUT_MS, guardedLabels, guardRoles, isGuarded, type PoolRole } from "./role.js";
export { createRoleBackend } from "./role-backend.js";
export type { RoleStatus } from "./role-status.js";
export {
  type AddResult,
  createRunbook,
  type DecommissionResult,
  type DrainResult,
  type PoolControl,
  type PoolStatus,
  type QueuedGroup,
  type RotateTokenResult,
  type Runbook,
  type RunbookForge,
} from "./runbook.js";
export { Supervisor, type SupervisorEvents, type SupervisorOptions } from "./supervisor.js";
