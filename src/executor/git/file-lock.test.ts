import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { acquireFileLock, tryFileLock } from "./file-lock.js";

let dir = "";
let n = 0;
const lockPath = () => join(dir, `l${++n}.lock`);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "file-lock-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function startTime(pid: number): string {
  const s = readFileSync(`/proc/${pid}/stat`, "utf8");
  return s.slice(s.lastIndexOf(")") + 2).split(" ")[19] ?? "";
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

test("a second taker waits until the holder releases", async () => {
  const path = lockPath();
  const first = await acquireFileLock(path, { signal: AbortSignal.timeout(5000) });
  let got = false;
  const second = acquireFileLock(path, { signal: AbortSignal.timeout(5000) }).then((l) => {
    got = true;
    return l;
  });
  // Long enough for several polls; the second taker must still be waiting.
  await sleep(150);
  assert.equal(got, false);
  await first.release();
  const lock = await second;
  assert.equal(got, true);
  await lock.release();
  assert.equal(await exists(path), false);
});

test("a lock left by a process that has exited is taken over", async () => {
  const path = lockPath();
  const child = spawn("true");
  const pid = child.pid ?? 0;
  await new Promise((resolve) => child.once("exit", resolve));
  await writeFile(path, JSON.stringify({ pid, start: "", host: hostname() }));
  const lock = await tryFileLock(path);
  assert.ok(lock, "stale lock not taken over");
  assert.equal(JSON.parse(await readFile(path, "utf8")).pid, process.pid);
  await lock.release();
});

test("a live process's lock is respected until it exits", async () => {
  const path = lockPath();
  const child = spawn("sleep", ["30"]);
  const pid = child.pid ?? 0;
  try {
    await writeFile(path, JSON.stringify({ pid, start: startTime(pid), host: hostname() }));
    assert.equal(await tryFileLock(path), undefined);
  } finally {
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
  }
  const lock = await tryFileLock(path);
  assert.ok(lock);
  await lock.release();
});

test("a recycled pid does not keep a dead owner's lock alive", async () => {
  const path = lockPath();
  await writeFile(path, JSON.stringify({ pid: process.pid, start: "1", host: hostname() }));
  const lock = await tryFileLock(path);
  assert.ok(lock);
  await lock.release();
});

test("an unwritten lock file is stale only once it is old", async () => {
  const path = lockPath();
  await writeFile(path, "");
  assert.equal(await tryFileLock(path), undefined);
  const old = new Date(Date.now() - 60_000);
  await utimes(path, old, old);
  const lock = await tryFileLock(path);
  assert.ok(lock);
  await lock.release();
});

test("release leaves alone a lock that someone else took over", async () => {
  const path = lockPath();
  const lock = await acquireFileLock(path, { signal: AbortSignal.timeout(5000) });
  await rm(path);
  await writeFile(path, JSON.stringify({ pid: process.pid, start: "", host: hostname() }));
  await lock.release();
  assert.equal(await exists(path), true);
});

test("waiting for a lock stops when the signal aborts", async () => {
  const path = lockPath();
  const held = await acquireFileLock(path, { signal: AbortSignal.timeout(5000) });
  const ac = new AbortController();
  const waiting = acquireFileLock(path, { signal: ac.signal });
  ac.abort();
  await assert.rejects(waiting, { name: "AbortError" });
  await held.release();
});
