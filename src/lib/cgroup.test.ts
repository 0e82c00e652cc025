import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cgroupV1Available, createCgroup } from "./cgroup.js";
import { spawnProcess } from "./process.js";

const limits = { memoryBytes: 64 * 1024 * 1024, cpus: 0.5, pids: 64 };
const skip =
  process.getuid?.() !== 0
    ? "needs root to create cgroups"
    : cgroupV1Available(limits)
      ? false
      : "cgroup v1 memory, cpu and pids controllers are not mounted here";

async function sh(argv: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await spawnProcess(argv, {
    cwd: "/",
    env: { PATH: "/usr/bin:/bin" },
    signal: new AbortController().signal,
    onStdout: (c) => {
      out += c.toString();
    },
  });
  return { code, out };
}

test("a wrapped command runs inside a group with the limits written", { skip }, async () => {
  const group = await createCgroup("test", limits);
  try {
    const r = await sh(group.wrap(["sh", "-c", "cat /proc/self/cgroup"]));
    assert.equal(r.code, 0);
    const name = group.paths[0]?.split("/").pop() ?? "";
    assert.match(r.out, new RegExp(`memory:.*${name}`));
    assert.match(r.out, new RegExp(`pids:.*${name}`));
    const mem = group.paths.find((p) => p.includes("/memory/")) ?? "";
    assert.equal(readFileSync(join(mem, "memory.limit_in_bytes"), "utf8").trim(), String(limits.memoryBytes));
    const pids = group.paths.find((p) => p.includes("/pids/")) ?? "";
    assert.equal(readFileSync(join(pids, "pids.max"), "utf8").trim(), "64");
  } finally {
    await group.remove();
  }
  for (const p of group.paths) assert.equal(existsSync(p), false, `${p} removed`);
});

test("the pids limit refuses processes beyond it", { skip }, async () => {
  const group = await createCgroup("pids", { pids: 20 });
  try {
    // The shell itself may die of a refused fork; what counts is that the kernel refused at the limit.
    await sh(group.wrap(["sh", "-c", "for i in $(seq 1 40); do (sleep 2) 2>/dev/null & done; wait"]));
    const events = readFileSync(join(group.paths[0] ?? "", "pids.events"), "utf8");
    assert.match(events, /^max [1-9]/m, "forks were refused at the limit");
  } finally {
    await group.remove();
  }
});

test("remove kills what a job left in its group", { skip }, async () => {
  const group = await createCgroup("leftover", { pids: 100 });
  await sh(group.wrap(["sh", "-c", "(sleep 300 >/dev/null 2>&1 &) ; true"]));
  const pidsFile = join(group.paths[0] ?? "", "cgroup.procs");
  assert.ok(readFileSync(pidsFile, "utf8").trim() !== "", "the sleep is in the group");
  await group.remove();
  assert.equal(existsSync(group.paths[0] ?? ""), false);
});
