import assert from "node:assert/strict";
import { test } from "node:test";
import { isPoolError } from "../../lib/index.js";
import { canMoveRun, moveRun, RUN_STATUSES } from "./run-state.js";

const RESULTS = ["success", "failure", "cancelled", "skipped"];

test("every pair of run statuses is either a move of the table or refused with an INTERNAL error", () => {
  for (const from of RUN_STATUSES) {
    for (const to of RUN_STATUSES) {
      const legal =
        (from === "waiting" && (to === "running" || RESULTS.includes(to))) ||
        (from === "running" && RESULTS.includes(to));
      assert.equal(canMoveRun(from, to), legal, `${from} -> ${to}`);
      if (legal) assert.equal(moveRun(from, to), to);
      else
        assert.throws(
          () => moveRun(from, to),
          (err: unknown) => isPoolError(err) && err.code === "INTERNAL" && /\[run-state\]/.test(err.message),
        );
    }
  }
});
