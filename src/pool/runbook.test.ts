import assert from "node:assert/strict";
import { test } from "node:test";
import type { RoleStatus } from "./role-status.js";
import { createRunbook, type PoolControl, type RunbookForge } from "./runbook.js";

function role(name: string, instances: string[]): RoleStatus {
  return {
    name,
    labels: ["self-hosted", name],
    backend: "host",
    min: 1,
    max: 2,
    capacity: 1,
    paused: false,
    busySlots: 0,
    idleSlots: instances.length,
    restarts: 0,
    instances: instances.map((n, i) => ({
      name: n,
      role: name,
      state: "idle",
      running: 0,
      capacity: 1,
      since: "2026-01-01T00:00:00.000Z",
      runnerId: 10 + i,
    })),
  };
}

function fakePool(roles: RoleStatus[]) {
  const calls: string[] = [];
  const pool: PoolControl = {
    status: () => roles,
    currentRoles: () => [],
    add: (r) => {
      calls.push(`add ${r}`);
    },
    drain: async (t) => {
      calls.push(`drain ${t}`);
      return [t];
    },
  };
  return { pool, calls };
}

function fakeForge(over: Partial<RunbookForge> = {}): RunbookForge & { removed: string[] } {
  const removed: string[] = [];
  return {
    removed,
    url: () => "http://127.0.0.1:3930",
    embedded: true,
    rotateToken: () => "embedded coordinator",
    removeRunner: async (runner) => {
      removed.push(runner);
      return { name: runner, id: 99 };
    },
    ...over,
  };
}

const signal = new AbortController().signal;

test("status before the supervisor exists is an empty pool on the forge", () => {
  const runbook = createRunbook(() => undefined, fakeForge({ queue: () => [] }), signal);
  assert.deepEqual(runbook.status(), { forge: "http://127.0.0.1:3930", embedded: true, roles: [], queue: [] });
});

test("rotate-token --cycle drains and replaces every instance, one at a time", async () => {
  const { pool, calls } = fakePool([role("linux", ["linux-1", "linux-2"])]);
  const result = await createRunbook(() => pool, fakeForge(), signal).rotateToken({ cycle: true });
  assert.deepEqual(result, { rotated: true, source: "embedded coordinator", cycled: ["linux-1", "linux-2"] });
  assert.deepEqual(calls, ["drain linux-1", "add linux", "drain linux-2", "add linux"]);
});

test("decommission drains an instance of the pool and removes any other runner from the forge", async () => {
  const { pool, calls } = fakePool([role("linux", ["linux-1"])]);
  const forge = fakeForge();
  const runbook = createRunbook(() => pool, forge, signal);
  assert.deepEqual(await runbook.decommission("linux-1"), { decommissioned: "linux-1", id: 10 });
  assert.deepEqual(calls, ["drain linux-1"]);
  assert.deepEqual(await runbook.decommission("laptop"), { decommissioned: "laptop", id: 99 });
  assert.deepEqual(forge.removed, ["laptop"]);
});
