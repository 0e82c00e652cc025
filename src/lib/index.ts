// Leaf helpers every module may use: errors, logging, masking, processes, cgroups, UTF-8, the result union.
export { cgroupV1Available, createCgroup, hasLimits, type JobCgroup, type ResourceLimits } from "./cgroup.js";
export { type ErrorCode, errorMessage, isPoolError, PoolError, type PoolErrorOptions } from "./errors.js";
export { hasBearer, isLocalRequest, isLoopback, readJsonBody, sendJson } from "./http-json.js";
export { isJobResult, JOB_RESULTS, type JobResult } from "./job-result.js";
export { formatLocation, type Location } from "./location.js";
export { createLogger, type Logger, silentLogger } from "./log.js";
export { encodedForms, MASK, SecretMasker } from "./mask.js";
export {
  findProcessesByEnv,
  isProcessAlive,
  type SpawnOptions,
  signalProcessGroup,
  spawnProcess,
} from "./process.js";
export { isValidUtf8, toValidUtf8 } from "./utf8.js";
