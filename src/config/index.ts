// The only reader of runnerpool.toml: schema, loading (strict and lenient), where the file is, units, act_runner import.
export { type ActRunnerImport, importActRunner } from "./import-act-runner.js";
export { readRoleLabels, readStateDir } from "./lenient-read.js";
export {
  type ConfigProblem,
  defaultConfig,
  formatProblem,
  loadConfig,
  validateConfigText,
} from "./load.js";
export { CONFIG_FILE, locateConfig } from "./locate.js";
export { type LossPolicy, lossPolicyForLabels, roleLossPolicy } from "./loss-policy.js";
export { type OpenedConfig, openConfig, withAbsolutePaths } from "./paths.js";
export { isGuardedRole } from "./policy.js";
export {
  ANY_REF,
  type BackendName,
  backendNames,
  configSchema,
  type GitConfig,
  type PoolConfig,
  type RoleConfig,
} from "./schema.js";
export { parseDuration, parseSize } from "./units.js";
