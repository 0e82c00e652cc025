import assert from "node:assert/strict";
import { test } from "node:test";
import { Result } from "./gen/runner/v1/messages_pb.js";
import { type JobResult, resultFromWire, resultToWire } from "./result.js";

test("maps each job result to the wire number Gitea uses", () => {
  const wire: Record<JobResult, number> = { success: 1, failure: 2, cancelled: 3, skipped: 4 };
  for (const [name, num] of Object.entries(wire)) assert.equal(resultToWire(name as JobResult), num);
});

test("maps wire results back to job results", () => {
  for (const r of ["success", "failure", "cancelled", "skipped"] as const) {
    assert.equal(resultFromWire(resultToWire(r)), r);
  }
});

test("reads UNSPECIFIED and unknown numbers as no result yet", () => {
  assert.equal(resultFromWire(Result.UNSPECIFIED), undefined);
  assert.equal(resultFromWire(9 as Result), undefined);
});
