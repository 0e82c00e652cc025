import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { createJobDirs, disposeJobDir, removeTree } from "./workspace.js";

const signal = () => new AbortController().signal;
let parent = "";

beforeEach(async () => {
  parent = await mkdtemp(join(tmpdir(), "workspace-"));
});
afterEach(async () => {
  spawnSync("chattr", ["-R", "-i", parent], { stdio: "ignore" });
  await rm(parent, { recursive: true, force: true });
});

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

test("removes nested dirs without read, write or execute permission", async () => {
  const root = join(parent, "tree");
  await mkdir(join(root, "a", "b", "c"), { recursive: true });
  await writeFile(join(root, "a", "b", "c", "f"), "x");
  await chmod(join(root, "a", "b", "c"), 0o000);
  await chmod(join(root, "a", "b"), 0o000);
  await chmod(join(root, "a"), 0o500);
  assert.deepEqual(await removeTree(root, signal()), []);
  assert.equal(await exists(root), false);
});

test("removes sockets, FIFOs and symlinks without following them", async () => {
  const root = join(parent, "tree");
  const outside = join(parent, "outside");
  await mkdir(root);
  await mkdir(outside);
  await writeFile(join(outside, "keep"), "x");
  await symlink(outside, join(root, "link"));
  assert.equal(spawnSync("mkfifo", [join(root, "fifo")]).status, 0);
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(join(root, "sock"), resolve));
  try {
    assert.deepEqual(await removeTree(root, signal()), []);
  } finally {
    server.close();
  }
  assert.equal(await exists(root), false);
  assert.deepEqual(await readdir(outside), ["keep"]);
});

test("returns what it could not remove instead of throwing", async (t) => {
  const root = join(parent, "tree");
  await mkdir(join(root, "sub"), { recursive: true });
  await writeFile(join(root, "sub", "stuck"), "x");
  await writeFile(join(root, "sub", "free"), "x");
  if (spawnSync("chattr", ["+i", join(root, "sub", "stuck")]).status !== 0) {
    t.skip("chattr +i is not supported here; no other way to make a file unremovable");
    return;
  }
  const left = await removeTree(root, signal());
  assert.deepEqual(left, [join(root, "sub", "stuck")]);
  assert.equal(await exists(join(root, "sub", "free")), false);
});

test("moves a job dir it cannot remove into the quarantine", async (t) => {
  const dirs = await createJobDirs(parent, "job-1", signal());
  await writeFile(join(dirs.workspace, "stuck"), "x");
  if (spawnSync("chattr", ["+i", join(dirs.workspace, "stuck")]).status !== 0) {
    t.skip("chattr +i is not supported here; no other way to make a file unremovable");
    return;
  }
  const report = await disposeJobDir(parent, dirs.root, signal());
  assert.equal(report.leftovers.length, 1);
  assert.ok(report.quarantined?.startsWith(join(parent, ".quarantine", "job-1-")));
  assert.equal(await exists(dirs.root), false);
  const again = await createJobDirs(parent, "job-1", signal());
  assert.deepEqual(await readdir(again.workspace), []);
});

test("creates fresh job dirs, clearing what an earlier job with the same key left", async () => {
  const first = await createJobDirs(parent, "job-2", signal());
  await writeFile(join(first.workspace, "old"), "x");
  await writeFile(join(first.temp, "old"), "x");
  const second = await createJobDirs(parent, "job-2", signal());
  assert.deepEqual(await readdir(second.workspace), []);
  assert.deepEqual(await readdir(second.temp), []);
});

test("refuses a job key that is not a plain directory name", async () => {
  await assert.rejects(
    createJobDirs(parent, "../escape", signal()),
    /job key '..\/escape' is not a safe directory name/,
  );
});
