// The runner protocol.
export { Task } from "./gen/runner_pb.js";
