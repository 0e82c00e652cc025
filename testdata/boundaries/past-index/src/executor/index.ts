// Runs one job.
export { runJob } from "./run-job.js";
