import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createHostBackend, SECRETS_VARIABLE } from "./host.js";

const dir = mkdtempSync(join(tmpdir(), "secret-copies-"));
const secrets = join(dir, "deploy");
const copies = join(dir, "copies");
mkdirSync(secrets);
writeFileSync(join(secrets, "token"), "t0k3n\n", { mode: 0o600 });
after(() => rmSync(dir, { recursive: true, force: true }));

const backend = () =>
  createHostBackend({ workdirParent: join(dir, "work"), secretsDir: secrets, secretCopiesDir: copies });

/** What a process killed with -9 leaves: a read-only copy named after its (now unused) pid. */
function leftBehindBy(pid: number): string {
  const stale = join(copies, `${pid}-task-7-0badc0de`);
  mkdirSync(stale, { recursive: true });
  writeFileSync(join(stale, "token"), "old\n", { mode: 0o400 });
  spawnSync("chmod", ["0500", stale]);
  return stale;
}

test("a job's copy of secrets_dir is read-only while it runs and gone after it", async () => {
  const env = await backend().prepare({ jobKey: "task-1", signal: new AbortController().signal });
  const copy = env.baseEnv[SECRETS_VARIABLE] ?? "";
  assert.equal(readFileSync(join(copy, "token"), "utf8"), "t0k3n\n");
  assert.equal(statSync(join(copy, "token")).mode & 0o777, 0o400);
  assert.equal(statSync(copy).mode & 0o777, 0o500);
  const report = await env.dispose(new AbortController().signal);
  assert.deepEqual(report.leftovers, []);
  assert.equal(existsSync(copy), false);
});

test("copies a killed process left are swept when the next job starts; a live process's stay", async () => {
  const dead = spawnSync("true").pid ?? 0;
  const stale = leftBehindBy(dead);
  const sleeper = spawn("sleep", ["30"]);
  const live = leftBehindBy(sleeper.pid ?? 0);
  try {
    const env = await backend().prepare({ jobKey: "task-2", signal: new AbortController().signal });
    assert.equal(existsSync(stale), false, "the dead process's copy was swept");
    assert.equal(existsSync(live), true, "a running process's copy is left alone");
    await env.dispose(new AbortController().signal);
    assert.deepEqual(readdirSync(copies), [live.split("/").pop()]);
  } finally {
    sleeper.kill("SIGKILL");
  }
});
