// One runner instance.
export { runTask } from "./task-runner.js";
