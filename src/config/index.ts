export {
  type ConfigProblem,
  defaultConfig,
  formatProblem,
  loadConfig,
  validateConfigText,
} from "./load.js";
export { type BackendName, backendNames, configSchema, type PoolConfig, type RoleConfig } from "./schema.js";
