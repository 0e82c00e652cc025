// The runner protocol as Gitea and Forgejo speak it: generated messages, the client, codes, limits.
export {
  apiBaseUrl,
  createForgeClient,
  DEFAULT_TIMEOUT_MS,
  type DeclareInput,
  type FetchTaskResult,
  type ForgeClient,
  type ForgeClientOptions,
  type LogRowInput,
  type RegisterInput,
  type UpdateLogInput,
  type UpdateTaskResult,
} from "./client.js";
export { type ForgeStatus, forgeErrorFrom, forgeStatusOf, isRetryable } from "./codes.js";
export * from "./gen/ping/v1/messages_pb.js";
export * from "./gen/ping/v1/services_pb.js";
export * from "./gen/runner/v1/messages_pb.js";
export * from "./gen/runner/v1/services_pb.js";
export { API_PREFIX, MAX_WAIT_MS, REQUEST_KEY_HEADER, TOKEN_HEADER, UUID_HEADER, WAIT_HEADER } from "./headers.js";
export { MAX_OUTPUT_KEY_BYTES, MAX_OUTPUT_VALUE_BYTES, MAX_ROW_BYTES } from "./limits.js";
export { type JobResult, resultFromWire, resultToWire } from "./result.js";
