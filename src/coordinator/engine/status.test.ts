import assert from "node:assert/strict";
import { test } from "node:test";
import type { JobResult, JobStatus } from "../store/records.js";
import { aggregateResult, runStatusOf } from "./status.js";

const results: { name: string; in: JobResult[]; out: JobResult }[] = [
  { name: "all success", in: ["success", "success"], out: "success" },
  { name: "success with skipped", in: ["success", "skipped"], out: "success" },
  { name: "all skipped", in: ["skipped", "skipped"], out: "skipped" },
  { name: "one failure", in: ["success", "failure"], out: "failure" },
  { name: "cancelled beats failure", in: ["failure", "cancelled"], out: "cancelled" },
];
for (const c of results) {
  test(`aggregate result: ${c.name}`, () => assert.equal(aggregateResult(c.in), c.out));
}

const runs: { name: string; in: JobStatus[]; out: string }[] = [
  { name: "nothing started", in: ["waiting", "blocked"], out: "waiting" },
  { name: "a job running", in: ["running", "blocked"], out: "running" },
  { name: "a job done, one blocked", in: ["success", "blocked"], out: "running" },
  { name: "all final", in: ["success", "failure"], out: "failure" },
];
for (const c of runs) {
  test(`run status: ${c.name}`, () => assert.equal(runStatusOf(c.in.map((status) => ({ status }))), c.out));
}
