export type { Backend, ExecOptions, JobEnvironment, PrepareOptions } from "./backend.js";
export type { JobOutcome, JobRequest, RunJobOptions } from "./job-request.js";
export type { JobSink, Result } from "./sink.js";
