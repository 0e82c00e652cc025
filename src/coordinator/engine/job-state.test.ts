import assert from "node:assert/strict";
import { test } from "node:test";
import { isPoolError } from "../../lib/index.js";
import type { JobStatus } from "../store/records.js";
import { canMoveJob, JOB_STATUSES, moveJob } from "./job-state.js";

const LEGAL = new Set([
  "blocked->waiting",
  "blocked->skipped",
  "blocked->failure",
  "blocked->cancelled",
  "waiting->running",
  "waiting->failure",
  "waiting->cancelled",
  "running->waiting",
  "running->success",
  "running->failure",
  "running->cancelled",
  "running->skipped",
]);

test("every pair of job statuses is either a move of the table or refused with an INTERNAL error", () => {
  for (const from of JOB_STATUSES) {
    for (const to of JOB_STATUSES) {
      const legal = LEGAL.has(`${from}->${to}`);
      assert.equal(canMoveJob(from, to), legal, `${from} -> ${to}`);
      if (legal) assert.equal(moveJob(from, to), to);
      else
        assert.throws(
          () => moveJob(from, to),
          (err: unknown) => isPoolError(err) && err.code === "INTERNAL" && /\[job-state\]/.test(err.message),
        );
    }
  }
});

test("a job result is final", () => {
  const results: JobStatus[] = ["success", "failure", "cancelled", "skipped"];
  for (const from of results) for (const to of JOB_STATUSES) assert.equal(canMoveJob(from, to), false);
});
