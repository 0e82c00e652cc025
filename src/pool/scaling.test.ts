import assert from "node:assert/strict";
import { test } from "node:test";
import type { PoolRole } from "./role.js";
import { expiredIdle, instancesToStart, type RoleLoad } from "./scaling.js";

const role: PoolRole = {
  name: "linux",
  labels: ["linux"],
  backend: "host",
  capacity: 2,
  env: {},
  instances: { min: 1, max: 4 },
  idleTimeoutMs: 1000,
};
const load = (over: Partial<RoleLoad>): RoleLoad => ({
  live: 1,
  occupied: 1,
  idle: 1,
  free: 2,
  queued: 0,
  extra: 0,
  paused: false,
  ...over,
});

test("a role grows by the waiting jobs its free slots cannot take, never past max", () => {
  assert.equal(instancesToStart(role, load({ queued: 2 })), 0, "two free slots take two jobs");
  assert.equal(instancesToStart(role, load({ queued: 5 })), 2, "three more jobs need two instances of two slots");
  assert.equal(instancesToStart(role, load({ queued: 50 })), 3, "up to max");
  assert.equal(instancesToStart(role, load({ live: 0, occupied: 0, idle: 0, free: 0 })), 1, "min warm");
});

test("a forge that cannot count its queue grows a full role by one; a drained role does not grow", () => {
  assert.equal(instancesToStart(role, load({ idle: 0, free: 0, queued: undefined })), 1);
  assert.equal(instancesToStart(role, load({ idle: 0, free: 0, queued: 9, paused: true })), 0);
});

test("only idle instances above min and past the idle timeout retire, oldest first", () => {
  const idle = [
    { name: "a", state: "idle", idleSince: 500 },
    { name: "b", state: "idle", idleSince: 100 },
    { name: "c", state: "idle", idleSince: 1900 },
  ];
  assert.deepEqual(
    expiredIdle(role, idle, 2000).map((i) => i.name),
    ["b", "a"],
  );
  assert.deepEqual(
    expiredIdle(role, idle.slice(0, 1), 2000).map((i) => i.name),
    [],
    "the last one is the warm minimum",
  );
});
