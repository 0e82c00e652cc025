import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "rp-pool-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(file, text);
  return file;
}

test("config validate lists every problem of a bad pool with its key path, and exits 1", async () => {
  const file = write(
    "bad.toml",
    [
      "[[role]]",
      'name = "linux"',
      'labels = ["self-hosted", "linux"]',
      "[[role]]",
      'name = "linux"',
      'labels = ["self-hosted", "linux"]',
      "[[role]]",
      'name = "iso"',
      'labels = ["self-hosted", "iso"]',
      "privileged = true",
      "",
    ].join("\n"),
  );
  const r = await runCli(["config", "validate", file]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /role\[1\] \(linux\)\.name: role name "linux" is already used/);
  assert.match(r.stderr, /role\[1\] \(linux\)\.labels: label collision/);
  assert.match(r.stderr, /role\[2\] \(iso\)\.allowed_refs: a privileged role must list/);
  assert.match(r.stderr, /3 problem\(s\) found/);
  const typo = write("typo.toml", '[[role]]\nname = "a"\nlabels = ["x"]\ncapacity = "2"\nbackend = "vm"\nfoo = 1\n');
  const t = await runCli(["config", "validate", typo]);
  assert.equal(t.code, 1);
  assert.match(t.stderr, /typo\.toml:4:1: role\[0\] \(a\)\.capacity: /);
  assert.match(t.stderr, /typo\.toml:5:1: role\[0\] \(a\)\.backend: /);
  assert.match(t.stderr, /"foo".*remove or fix the spelling/);
});

test("config import-act-runner prints roles that validate and what to change", async () => {
  const yaml = write("act/config.yaml", 'runner:\n  capacity: 1\n  labels: ["ubuntu-latest:host", "linux:host"]\n');
  const runner = write(
    "act/.runner",
    JSON.stringify({ id: 1, uuid: "u", name: "laptop", token: "t0ken", address: "http://127.0.0.1:1", labels: [] }),
  );
  const r = await runCli(["config", "import-act-runner", yaml, runner]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /what to change/);
  assert.match(r.stderr, /pool decommission laptop/);
  const imported = write("imported.toml", r.stdout);
  const v = await runCli(["config", "validate", imported]);
  assert.equal(v.code, 0, v.stderr);
});

test("pool coverage maps every job's runs-on to a role, or says no role serves it and exits 1", async () => {
  const repo = join(dir, "repo");
  write(
    "repo/runnerpool.toml",
    '[[role]]\nname = "linux"\nlabels = ["self-hosted", "linux"]\n[[role]]\nname = "iso"\nlabels = ["self-hosted", "iso"]\nprivileged = true\nallowed_refs = ["refs/tags/*"]\n',
  );
  write(
    "repo/.gitea/workflows/ci.yml",
    "on: push\njobs:\n  build:\n    runs-on: [self-hosted, linux]\n    steps: [{run: 'true'}]\n  image:\n    runs-on: [self-hosted, iso]\n    steps: [{run: 'true'}]\n",
  );
  const ok = await runCli(["pool", "coverage", repo]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /ci\.yml: build \[self-hosted, linux\] -> linux/);
  assert.match(ok.stdout, /ci\.yml: image \[self-hosted, iso\] -> iso/);
  write(
    "repo/.gitea/workflows/gpu.yml",
    "on: push\njobs:\n  train:\n    runs-on: ${{ matrix.os }}\n    strategy:\n      matrix:\n        os: [linux, gpu]\n    steps: [{run: 'true'}]\n",
  );
  const bad = await runCli(["pool", "coverage", repo]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /gpu\.yml: train \(gpu\) \[gpu\] -> no role serves \[gpu\]/);
  assert.match(bad.stdout, /gpu\.yml: train \(linux\) \[linux\] -> linux/);
});

test("pool coverage flags jobs that match a guarded role without naming it, and exits 1", async () => {
  const repo = join(dir, "guarded");
  write(
    "guarded/runnerpool.toml",
    '[[role]]\nname = "linux"\nlabels = ["self-hosted", "linux"]\n[[role]]\nname = "iso"\nlabels = ["self-hosted", "iso"]\nprivileged = true\nallowed_refs = ["refs/tags/*"]\n',
  );
  write(
    "guarded/.gitea/workflows/ci.yml",
    "on: push\njobs:\n  any:\n    runs-on: [self-hosted]\n    steps: [{run: 'true'}]\n  none:\n    steps: [{run: 'true'}]\n  image:\n    runs-on: [self-hosted, iso]\n    steps: [{run: 'true'}]\n",
  );
  const out = await runCli(["pool", "coverage", repo]);
  assert.equal(out.code, 1, out.stdout);
  assert.match(
    out.stdout,
    /ci\.yml: any \[self-hosted\] -> linux; also matches guarded role\(s\) iso without naming them/,
  );
  assert.match(out.stdout, /ci\.yml: none \[\] -> linux; also matches guarded role\(s\) iso/);
  assert.match(out.stdout, /ci\.yml: image \[self-hosted, iso\] -> iso\n/);
});
