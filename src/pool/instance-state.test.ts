import assert from "node:assert/strict";
import { test } from "node:test";
import { canMoveInstance, INSTANCE_STATES, type InstanceState, moveInstance } from "./instance-state.js";

// The whole table: every pair not listed here must be refused.
const LEGAL: Record<InstanceState, InstanceState[]> = {
  registering: ["starting", "crashed", "removed"],
  starting: ["idle", "draining", "crashed"],
  idle: ["busy", "draining", "crashed"],
  busy: ["idle", "draining", "crashed"],
  draining: ["removing", "crashed"],
  removing: ["removed"],
  removed: [],
  crashed: [],
};

test("every instance state move is legal exactly when the table lists it", () => {
  for (const from of INSTANCE_STATES) {
    for (const to of INSTANCE_STATES) {
      const legal = LEGAL[from].includes(to);
      assert.equal(canMoveInstance(from, to), legal, `${from} -> ${to}`);
      if (legal) assert.equal(moveInstance(from, to), to);
      else assert.throws(() => moveInstance(from, to), { code: "INTERNAL" }, `${from} -> ${to} throws`);
    }
  }
});

test("removed and crashed are final", () => {
  for (const to of INSTANCE_STATES) {
    assert.equal(canMoveInstance("removed", to), false);
    assert.equal(canMoveInstance("crashed", to), false);
  }
});
