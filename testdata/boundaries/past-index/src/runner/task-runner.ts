import { runJob } from "../executor/run-job.js";

export const runTask = () => runJob();
