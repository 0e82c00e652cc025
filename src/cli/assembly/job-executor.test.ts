import assert from "node:assert/strict";
import { test } from "node:test";
import type { Backend, JobOutcome, RunJobOptions } from "../../executor/index.js";
import type { JobExecution } from "../../runner/index.js";
import { jobExecutor } from "./job-executor.js";

const backend: Backend = { name: "none", prepare: () => Promise.reject(new Error("never prepared")) };
const job = { request: { payload: "" }, runnerName: "linux-1", jobKey: "task-1" } as unknown as JobExecution;

function recording() {
  let seen: RunJobOptions | undefined;
  const run = async (o: RunJobOptions): Promise<JobOutcome> => {
    seen = o;
    return { result: "success", outputs: {}, steps: [] };
  };
  return { run, seen: () => seen };
}

test("a job reaches the executor with the role's backend, env and git policy bound in", async () => {
  const r = recording();
  const git = { depth: 1, submodules: false };
  await jobExecutor(backend, { env: { E: "1" }, git }, r.run)(job);
  assert.equal(r.seen()?.backend, backend);
  assert.deepEqual(r.seen()?.env, { E: "1" });
  assert.equal(r.seen()?.git, git);
  assert.equal(r.seen()?.runnerName, "linux-1");
  assert.equal(r.seen()?.jobKey, "task-1");
});

test("without env or git policy the executor's defaults apply", async () => {
  const r = recording();
  await jobExecutor(backend, {}, r.run)(job);
  assert.equal(r.seen()?.env, undefined);
  assert.equal(r.seen()?.git, undefined);
});
