import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import type { PoolRole } from "../../src/pool/index.js";
import { PoolHarness, until } from "../support/pool-harness.js";

const linux = (over: Partial<PoolRole> = {}): PoolRole => ({
  name: "linux",
  labels: ["self-hosted", "linux"],
  backend: "host",
  capacity: 1,
  env: {},
  instances: { min: 1, max: 3 },
  idleTimeoutMs: 60_000,
  ...over,
});

const harnesses: PoolHarness[] = [];
after(async () => {
  for (const h of harnesses) await h.close();
});
async function pool(roles: PoolRole[], options = {}): Promise<PoolHarness> {
  const h = new PoolHarness();
  harnesses.push(h);
  return h.start(roles, options);
}

const live = (h: PoolHarness, role = "linux") =>
  h.supervisor
    .status()
    .find((r) => r.name === role)
    ?.instances.filter((i) => i.state === "idle" || i.state === "busy") ?? [];

test("keeps min idle instances, each its own registration", async () => {
  const h = await pool([linux({ instances: { min: 2, max: 3 } })]);
  assert.equal(live(h).length, 2);
  const runners = h.coordinator.runners.list();
  assert.deepEqual(runners.map((r) => r.name).sort(), ["linux-1", "linux-2"]);
  assert.equal(new Set(runners.map((r) => r.uuid)).size, 2);
});

test("grows up to max while jobs wait, runs them at once, and drains idle ones after idle_timeout", async () => {
  const h = await pool([linux({ idleTimeoutMs: 400 })]);
  const runId = h.submit(
    "on: push\njobs:\n  a:\n    runs-on: [self-hosted, linux]\n    strategy:\n      matrix:\n        n: [1, 2, 3]\n    steps:\n      - run: sleep 1\n",
  );
  await until(() => live(h).length === 3, "three instances for three queued jobs");
  const run = await h.wait(runId);
  assert.equal(run.result, "success");
  assert.equal(new Set(run.jobs.map((j) => j.runnerName)).size, 3, "one job per instance");
  const starts = run.jobs.map((j) => Date.parse(j.startedAt ?? ""));
  const stops = run.jobs.map((j) => Date.parse(j.stoppedAt ?? ""));
  assert.ok(Math.max(...starts) < Math.min(...stops), "the three jobs overlapped");
  await until(
    () => live(h).length === 1 && h.coordinator.runners.list().length === 1,
    "back to min after idle_timeout",
  );
  const kept = live(h)[0]?.name ?? "";
  for (const name of ["linux-1", "linux-2", "linux-3"].filter((n) => n !== kept)) {
    assert.equal(existsSync(join(h.dir, "runners", `${name}.runner`)), false, `${name}.runner removed`);
  }
});

test("never grows past max, whatever the queue", async () => {
  const h = await pool([linux({ instances: { min: 0, max: 2 } })]);
  assert.equal(live(h).length, 0, "min 0: nothing warm");
  const runId = h.submit(
    "on: push\njobs:\n  a:\n    runs-on: [self-hosted, linux]\n    strategy:\n      matrix:\n        n: [1, 2, 3, 4, 5]\n    steps:\n      - run: sleep 0.3\n",
  );
  let most = 0;
  const watch = setInterval(() => {
    most = Math.max(most, live(h).length);
  }, 10);
  const run = await h.wait(runId);
  clearInterval(watch);
  assert.equal(run.result, "success");
  assert.equal(most, 2);
});

test("an instance the forge no longer knows is replaced by a fresh registration, with backoff", async () => {
  const h = await pool([linux({ instances: { min: 1, max: 1 } })], {
    settings: { version: "e2e", fetchWaitMs: 300 },
    backoffMs: { base: 200, max: 1000 },
  });
  const first = h.coordinator.runners.list()[0];
  assert.ok(first);
  h.coordinator.runners.delete(first.id);
  await until(() => h.supervisor.status()[0]?.restarts === 1, "the crash is counted");
  await until(() => live(h).length === 1, "a replacement is up");
  const now = h.coordinator.runners.list();
  assert.equal(now.length, 1);
  assert.notEqual(now[0]?.uuid, first.uuid, "a new registration, not the old token");
  assert.match(h.supervisor.status()[0]?.lastError ?? "", /linux-1/);
});

test("drain ROLE unregisters its instances and keeps the role empty until add", async () => {
  const h = await pool([linux({ instances: { min: 1, max: 2 } })]);
  const drained = await h.supervisor.drain("linux");
  assert.deepEqual(drained, ["linux-1"]);
  assert.equal(h.coordinator.runners.list().length, 0);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(live(h).length, 0, "still empty after a few reconciles");
  assert.equal(h.supervisor.status()[0]?.paused, true);
  h.supervisor.add("linux");
  await until(() => live(h).length === 1, "add brings one back");
  assert.throws(() => h.supervisor.add("nope"), /no role "nope"/);
});

test("a config update replaces instances of a changed role and starts new roles", async () => {
  const h = await pool([linux()]);
  const before = h.coordinator.runners.list()[0]?.uuid;
  h.supervisor.update([
    linux({ labels: ["self-hosted", "linux", "big"] }),
    { name: "audit", labels: ["self-hosted", "audit"], backend: "host", capacity: 1, env: {} },
  ]);
  await until(
    () => live(h).length === 1 && live(h, "audit").length === 1 && h.coordinator.runners.list().length === 2,
    "linux replaced, audit started",
  );
  const relabelled = h.coordinator.runners.list().find((r) => r.labels.includes("big"));
  assert.ok(relabelled);
  assert.notEqual(relabelled.uuid, before);
});
