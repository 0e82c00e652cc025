export { API_PREFIX, MAX_WAIT_MS, TOKEN_HEADER, UUID_HEADER, WAIT_HEADER } from "./headers.js";
export * from "./gen/ping/v1/messages_pb.js";
export * from "./gen/ping/v1/services_pb.js";
export * from "./gen/runner/v1/messages_pb.js";
export * from "./gen/runner/v1/services_pb.js";
