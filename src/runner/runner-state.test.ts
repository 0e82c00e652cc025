import assert from "node:assert/strict";
import { test } from "node:test";
import { isPoolError } from "../lib/index.js";
import { canTransition, RUNNER_STATES, type RunnerState, transition } from "./runner-state.js";

// The whole table, written out: every pair not listed here must be refused.
const LEGAL: [RunnerState, RunnerState][] = [
  ["starting", "idle"],
  ["starting", "draining"],
  ["starting", "stopped"],
  ["idle", "busy"],
  ["idle", "draining"],
  ["busy", "idle"],
  ["busy", "draining"],
  ["draining", "stopped"],
];

for (const from of RUNNER_STATES) {
  for (const to of RUNNER_STATES) {
    const legal = LEGAL.some(([f, t]) => f === from && t === to);
    test(`${from} → ${to} is ${legal ? "allowed" : "refused"}`, () => {
      assert.equal(canTransition(from, to), legal);
      if (legal) assert.equal(transition(from, to), to);
      else
        assert.throws(
          () => transition(from, to),
          (err) => isPoolError(err, "INTERNAL") && err.message.includes(`"${from}"`) && err.message.includes(`"${to}"`),
        );
    });
  }
}

test("stopped is final", () => {
  assert.ok(RUNNER_STATES.every((s) => !canTransition("stopped", s)));
});
