import assert from "node:assert/strict";
import { test } from "node:test";
import { isJobResult, JOB_RESULTS } from "./job-result.js";

test("every listed result is recognised as a result", () => {
  for (const r of JOB_RESULTS) assert.ok(isJobResult(r), r);
});

test("statuses, other casings and non-strings are not results", () => {
  for (const v of ["running", "waiting", "Success", "", undefined, null, 1, { result: "success" }]) {
    assert.equal(isJobResult(v), false, String(v));
  }
});
