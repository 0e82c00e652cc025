import { reportTask } from "../runner/index.js";

export const runJob = () => reportTask();
