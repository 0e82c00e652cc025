import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { migrateCommand } from "./migrate.js";

const TESTDATA = join(import.meta.dirname, "../../../testdata/migrate");
let work = "";

before(() => {
  work = mkdtempSync(join(tmpdir(), "migrate-cli-"));
  cpSync(join(TESTDATA, "repo"), join(work, "repo"), { recursive: true });
  cpSync(join(TESTDATA, "runnerpool.toml"), join(work, "runnerpool.toml"));
});
after(() => rmSync(work, { recursive: true, force: true }));

async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await migrateCommand(argv, {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    cwd: work,
  });
  return { code, stdout, stderr };
}

test("audit exits 1 while error findings remain and prints file:line:col lines", async () => {
  const r = await run("audit", "repo", "--config", "runnerpool.toml");
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^\.gitea\/workflows\/probe-release\.yml:19:11 error rsync-checkout /m);
  assert.match(r.stdout, /^ {2}fix: /m);
});

test("audit --format sarif prints a SARIF 2.1.0 log", async () => {
  const r = await run("audit", "repo", "--format", "sarif");
  const log = JSON.parse(r.stdout) as { version: string; runs: Array<{ results: unknown[] }> };
  assert.equal(log.version, "2.1.0");
  assert.ok((log.runs[0]?.results.length ?? 0) > 0);
});

test("audit exits 0 on a directory whose workflows have no errors", async () => {
  const dir = join(work, "clean");
  cpSync(join(TESTDATA, "repo/.gitea/workflows/home-release.yml"), join(dir, "home-release.yml"));
  const r = await run("audit", "clean", "--format", "json", "--config", "runnerpool.toml");
  assert.equal(r.code, 0, r.stdout);
  assert.deepEqual(JSON.parse(r.stdout).findings, []);
});

test("rewrite --dry-run prints unified diffs and writes nothing", async () => {
  const before = readFileSync(join(work, "repo/.gitea/workflows/jet-release.yml"), "utf8");
  const r = await run("rewrite", "repo", "--dry-run", "--label-map", "ubuntu-latest=linux");
  assert.equal(r.code, 1, "the malformed workflow makes the exit code 1");
  assert.match(r.stdout, /^--- a\/\.gitea\/workflows\/jet-release\.yml$/m);
  assert.match(r.stderr, /broken-release\.yml:6:1 error yaml-syntax .*\(file left untouched\)/);
  assert.equal(readFileSync(join(work, "repo/.gitea/workflows/jet-release.yml"), "utf8"), before);
});

test("rewrite --v2 writes side-by-side copies once", async () => {
  const r = await run("rewrite", "repo", "--v2", "--config", "runnerpool.toml");
  assert.match(
    r.stderr,
    /rewrote \.gitea\/workflows\/probe-release-v2\.yml \(from \.gitea\/workflows\/probe-release\.yml\)/,
  );
  const names = readdirSync(join(work, "repo/.gitea/workflows"));
  assert.ok(names.includes("probe-release-v2.yml") && names.includes("probe-release.yml"));
  const again = await run("rewrite", "repo", "--v2", "--config", "runnerpool.toml");
  assert.match(again.stderr, /^0 of \d+ workflow files changed/m);
});

test("a bad flag or config is a usage error, not a crash", async () => {
  await assert.rejects(run("audit", "repo", "--format", "xml"), /--format "xml"/);
  writeFileSync(join(work, "bad.toml"), "[[role]]\nname = 1\n");
  await assert.rejects(run("audit", "repo", "--config", "bad.toml"), /role\[0\] needs a name/);
  await assert.rejects(run("rewrite", "repo", "--label-map", "nope"), /--label-map "nope" is not K=V/);
});
