import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { writeFileAtomic } from "./atomic-write.js";
import { rewriteDirectory } from "./rewrite-directory.js";

const WF = `name: Probe release
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - name: Checkout (local rsync)
        run: rsync -a "$LOCAL_REPO/" .
      - run: make
`;
const signal = new AbortController().signal;
const options = { labelMap: { "ubuntu-latest": "linux" } };
let dir = "";
let wfDir = "";

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "migrate-dir-"));
  wfDir = join(dir, ".gitea/workflows");
  mkdirSync(wfDir, { recursive: true });
  writeFileSync(join(wfDir, "probe-release.yml"), WF);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("--dry-run reports a diff and writes nothing", async () => {
  const [r] = await rewriteDirectory(dir, { ...options, dryRun: true }, signal);
  assert.equal(r?.status, "changed");
  assert.match(
    r?.diff ?? "",
    /^--- a\/\.gitea\/workflows\/probe-release\.yml\n\+\+\+ b\/\.gitea\/workflows\/probe-release\.yml\n@@ /,
  );
  assert.match(r?.diff ?? "", /\n\+ {4}runs-on: \[self-hosted, linux\]\n/);
  assert.equal(readFileSync(join(wfDir, "probe-release.yml"), "utf8"), WF);
  assert.deepEqual(readdirSync(wfDir), ["probe-release.yml"]);
});

test("--v2 writes a renamed copy beside the original and a second run is a no-op", async () => {
  const first = await rewriteDirectory(dir, { ...options, v2: true }, signal);
  assert.deepEqual(
    first.map((r) => [r.file, r.target, r.status]),
    [[".gitea/workflows/probe-release.yml", ".gitea/workflows/probe-release-v2.yml", "changed"]],
  );
  assert.match(first[0]?.diff ?? "", /^--- \/dev\/null\n/);
  assert.equal(readFileSync(join(wfDir, "probe-release.yml"), "utf8"), WF);
  const copy = readFileSync(join(wfDir, "probe-release-v2.yml"), "utf8");
  assert.match(copy, /^name: Probe release \(v2\)\n/);
  assert.match(copy, /uses: actions\/checkout@v4/);
  const second = await rewriteDirectory(dir, { ...options, v2: true }, signal);
  assert.deepEqual(
    second.map((r) => r.status),
    ["unchanged"],
  );
  assert.deepEqual(readdirSync(wfDir).sort(), ["probe-release-v2.yml", "probe-release.yml"]);
});

test("a malformed workflow is reported with its position and its bytes are left alone", async () => {
  const bad = "on: push\njobs:\n  a: [\n";
  writeFileSync(join(wfDir, "bad.yml"), bad);
  const results = await rewriteDirectory(dir, options, signal);
  const r = results.find((x) => x.file.endsWith("bad.yml"));
  assert.equal(r?.status, "invalid");
  assert.ok((r?.problems[0]?.line ?? 0) >= 3);
  assert.equal(readFileSync(join(wfDir, "bad.yml"), "utf8"), bad);
});

test("the atomic write keeps the file's mode and leaves no temp file", async () => {
  const path = join(wfDir, "probe-release.yml");
  const { chmodSync } = await import("node:fs");
  chmodSync(path, 0o600);
  await writeFileAtomic(path, "x: 1\n", signal);
  assert.equal(readFileSync(path, "utf8"), "x: 1\n");
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(wfDir), ["probe-release.yml"]);
});

test("an aborted write leaves the original intact and no temp file", async () => {
  const path = join(wfDir, "probe-release.yml");
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(writeFileAtomic(path, "half", ac.signal));
  assert.equal(readFileSync(path, "utf8"), WF);
  assert.deepEqual(readdirSync(wfDir), ["probe-release.yml"]);
});

test("workflows directly in the given directory are found too", async () => {
  const results = await rewriteDirectory(wfDir, { ...options, dryRun: true }, signal);
  assert.deepEqual(
    results.map((r) => r.file),
    ["probe-release.yml"],
  );
});

test("a write that fails at the rename leaves no temp file behind", async () => {
  const target = join(wfDir, "taken.yml");
  mkdirSync(join(target, "inside"), { recursive: true });
  await assert.rejects(writeFileAtomic(target, "x: 1\n", signal));
  assert.deepEqual(readdirSync(wfDir).sort(), ["probe-release.yml", "taken.yml"]);
});
