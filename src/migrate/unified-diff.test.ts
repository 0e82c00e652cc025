import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { unifiedDiff } from "./unified-diff.js";

const lines = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => `${f(i + 1)}\n`).join("");

test("equal texts give an empty diff", () => {
  assert.equal(unifiedDiff("a/x", "b/x", "same\n", "same\n"), "");
});

test("a one-line change gives one hunk with three lines of context", () => {
  const before = lines(10, (i) => `line ${i}`);
  const after = before.replace("line 5\n", "line five\n");
  assert.equal(
    unifiedDiff("a/w.yml", "b/w.yml", before, after),
    "--- a/w.yml\n+++ b/w.yml\n@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+line five\n line 6\n line 7\n line 8\n",
  );
});

test("distant changes get separate hunks with correct line numbers", () => {
  const before = lines(30, (i) => `l${i}`);
  const after = before.replace("l3\n", "").replace("l25\n", "l25\nnew\n");
  const diff = unifiedDiff("a/f", "b/f", before, after);
  assert.deepEqual(
    diff.split("\n").filter((l) => l.startsWith("@@")),
    ["@@ -1,6 +1,5 @@", "@@ -23,6 +22,7 @@"],
  );
});

test("a missing final newline is marked", () => {
  const diff = unifiedDiff("a/f", "b/f", "a\nb", "a\nc");
  assert.equal(
    diff,
    "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n",
  );
});

test("the diff applies with patch and reproduces the new text", (t) => {
  if (spawnSync("patch", ["--version"]).status !== 0) return t.skip("patch is not installed");
  const dir = mkdtempSync(join(tmpdir(), "udiff-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const before = lines(40, (i) => (i % 7 === 0 ? `  # comment ${i}` : `key${i}: value`));
  const after = before
    .replace("key3: value\n", "key3: changed\nextra: 1\n")
    .replace("key30: value\n", "")
    .concat("tail: x\n");
  writeFileSync(join(dir, "f.yml"), before);
  const r = spawnSync("patch", ["-p1", "-s", "-d", dir], { input: unifiedDiff("a/f.yml", "b/f.yml", before, after) });
  assert.equal(r.status, 0, String(r.stderr) + String(r.stdout));
  assert.equal(spawnSync("cat", [join(dir, "f.yml")]).stdout.toString(), after);
});
