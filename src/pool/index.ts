export { type AdminOperations, createAdminHandler } from "./admin-api.js";
export { type ContainerProviderOptions, containerProvider } from "./container-provider.js";
export { canMoveInstance, INSTANCE_STATES, type InstanceState, moveInstance } from "./instance-state.js";
export {
  type LocalInstance,
  type LocalPool,
  type LocalPoolOptions,
  type LocalRole,
  startLocalPool,
} from "./local-pool.js";
export { DEFAULT_IDLE_TIMEOUT_MS, type PoolRole } from "./role.js";
export { createRoleBackend } from "./role-backend.js";
export {
  type InstanceProvider,
  type InstanceStatus,
  localProvider,
  type RoleStatus,
  Supervisor,
  type SupervisorEvents,
  type SupervisorOptions,
} from "./supervisor.js";
