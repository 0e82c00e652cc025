export { type ErrorCode, isPoolError, PoolError, type PoolErrorOptions } from "./errors.js";
export { createLogger, type Logger, silentLogger } from "./log.js";
