import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { LOCK_FILE, lockStateDir } from "./state-dir.js";

const root = mkdtempSync(join(tmpdir(), "rp-lock-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => mkdtempSync(join(root, `s${n++}-`));

test("the lock records this process and goes away on release", () => {
  const dir = fresh();
  const release = lockStateDir(dir, { command: "runnerpool up", config: "/etc/runnerpool/runnerpool.toml" });
  const owner = JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")) as { pid: number; config: string };
  assert.equal(owner.pid, process.pid);
  assert.equal(owner.config, "/etc/runnerpool/runnerpool.toml");
  release();
  assert.equal(existsSync(join(dir, LOCK_FILE)), false);
});

test("a lock held by a live process is refused with its pid and config", async () => {
  const dir = fresh();
  const sleeper = spawn("sleep", ["30"], { stdio: "ignore" });
  after(() => sleeper.kill());
  writeFileSync(
    join(dir, LOCK_FILE),
    JSON.stringify({ pid: sleeper.pid, startedAt: "then", command: "x", config: "/c.toml" }),
  );
  assert.throws(
    () => lockStateDir(dir, { command: "runnerpool up" }),
    (err: Error) => {
      assert.match(
        err.message,
        new RegExp(`in use by runnerpool up \\(pid ${sleeper.pid}, started then, config /c.toml\\)`),
      );
      return true;
    },
  );
  assert.match(readFileSync(join(dir, LOCK_FILE), "utf8"), /"\/c.toml"/);
});

test("a lock whose process is gone is stale and taken over", () => {
  const dir = fresh();
  const done = spawnSync("true");
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: done.pid, startedAt: "then", command: "x" }));
  const release = lockStateDir(dir, { command: "runnerpool up" });
  assert.equal((JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8")) as { pid: number }).pid, process.pid);
  release();
});

test("a pid now used by another process (a different start time) does not hold the lock", () => {
  const dir = fresh();
  // Our own pid with a start time that is not ours: the pid was reused since the lock was written.
  writeFileSync(
    join(dir, LOCK_FILE),
    JSON.stringify({ pid: process.pid, startTicks: 1, startedAt: "boot", command: "x" }),
  );
  const release = lockStateDir(dir, { command: "runnerpool up" });
  release();
});
