import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { FakeForge } from "../../test/support/fake-forge.js";
import { Poller } from "./poller.js";
import { waitFor } from "./wait-for.js";

function capture() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, messages: (level: number) => lines.filter((l) => l.level === level).map((l) => l.msg) };
}

test("below the disk-space floor the runner takes no task, says so, and resumes when space returns", async () => {
  const forge = new FakeForge();
  forge.addTask();
  // Fault injection: the free-space figure the gate reads.
  let free = 10;
  let checks = 0;
  let ran = 0;
  const { logger, messages } = capture();
  const p = new Poller({
    forge: forge.client(),
    capacity: 1,
    fetchIntervalMs: 5,
    fetchIntervalMaxMs: 10,
    logger,
    runTask: async () => {
      ran++;
    },
    diskFloor: {
      minFreeBytes: 100,
      checkIntervalMs: 5,
      freeBytes: async () => {
        checks++;
        return free;
      },
    },
  });
  p.start();
  await waitFor(() => checks >= 5, "several disk checks");
  assert.equal(forge.callsOf("FetchTask").length, 0);
  assert.equal(ran, 0);
  assert.match(p.status().paused ?? "", /below the floor of 100 bytes/);
  assert.deepEqual(messages(40), ["free disk space is below runner.min_free: not taking jobs until space returns"]);
  free = 1000;
  await waitFor(() => ran === 1, "the task to run once space returned");
  assert.equal(p.status().paused, undefined);
  assert.ok(messages(30).includes("disk space is back; taking jobs again"));
  await p.drain();
});

test("a disk-space figure that cannot be read does not stop the runner", async () => {
  const forge = new FakeForge();
  forge.addTask();
  let ran = 0;
  const p = new Poller({
    forge: forge.client(),
    capacity: 1,
    fetchIntervalMs: 5,
    runTask: async () => {
      ran++;
    },
    diskFloor: { minFreeBytes: 100, freeBytes: () => Promise.reject(new Error("statfs failed")) },
  });
  p.start();
  await waitFor(() => ran === 1, "the task to run");
  await p.drain();
});
