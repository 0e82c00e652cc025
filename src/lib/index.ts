export { cgroupV1Available, createCgroup, hasLimits, type JobCgroup, type ResourceLimits } from "./cgroup.js";
export { type ErrorCode, isPoolError, PoolError, type PoolErrorOptions } from "./errors.js";
export { createLogger, type Logger, silentLogger } from "./log.js";
export { MASK, SecretMasker } from "./mask.js";
export {
  findProcessesByEnv,
  isProcessAlive,
  type SpawnOptions,
  signalProcessGroup,
  spawnProcess,
} from "./process.js";
export { isValidUtf8, toValidUtf8 } from "./utf8.js";
