import assert from "node:assert/strict";
import { test } from "node:test";
import type { InstanceState } from "./instance-state.js";
import { whyWaiting } from "./queue-reason.js";
import type { RoleStatus } from "./role-status.js";

function role(name: string, labels: string[], o: Partial<RoleStatus> & { states?: InstanceState[] } = {}): RoleStatus {
  const states = o.states ?? ["busy"];
  return {
    ...{ name, labels, backend: "host", min: 1, max: o.max ?? 1, capacity: 1, paused: o.paused ?? false },
    ...{ busySlots: o.busySlots ?? 1, idleSlots: o.idleSlots ?? 0, restarts: 0 },
    instances: states.map((state, i) => ({
      name: `${name}-${i}`,
      role: name,
      state,
      running: 1,
      capacity: 1,
      since: "",
    })),
  };
}

const cases: { name: string; roles: RoleStatus[]; reason: RegExp }[] = [
  { name: "no role has the labels", roles: [role("linux", ["linux"])], reason: /no role has labels \[gpu\]/ },
  { name: "the only role is drained", roles: [role("gpu", ["gpu"], { paused: true })], reason: /gpu is drained/ },
  { name: "a slot is free", roles: [role("gpu", ["gpu"], { idleSlots: 1 })], reason: /slot of role gpu is free/ },
  {
    name: "an instance is starting",
    roles: [role("gpu", ["gpu"], { states: ["busy", "starting"], max: 2 })],
    reason: /an instance is starting/,
  },
  { name: "room to grow", roles: [role("gpu", ["gpu"], { max: 2 })], reason: /the pool adds an instance/ },
  { name: "all busy at max", roles: [role("gpu", ["gpu"])], reason: /all 1 slot\(s\) of role gpu are busy at/ },
];

for (const c of cases) {
  test(`a job waiting for [gpu] says why when ${c.name}`, () => {
    assert.match(whyWaiting(["gpu"], c.roles).reason, c.reason);
  });
}

test("the roles that could take the job are named, and none when no role covers its labels", () => {
  assert.deepEqual(whyWaiting(["linux"], [role("a", ["linux", "x"]), role("b", ["mac"])]).roles, ["a"]);
  assert.deepEqual(whyWaiting(["gpu"], [role("a", ["linux"])]).roles, []);
});

test("a job that only a guarded role's labels cover waits saying it must name that role", () => {
  const roles = [role("iso", ["self-hosted", "iso"], { idleSlots: 1 })];
  const why = whyWaiting(["self-hosted"], roles, new Set(["iso"]));
  assert.deepEqual(why.roles, []);
  assert.match(why.reason, /only guarded roles have labels \[self-hosted\].*iso \[iso\]/);
  assert.match(whyWaiting(["self-hosted", "iso"], roles, new Set(["iso"])).reason, /slot of role iso is free/);
});
