import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../support/cli.js";

interface Summary {
  ok: boolean;
  runs: {
    workflow: string;
    error?: string;
    jobs: {
      name: string;
      matrix: Record<string, unknown>;
      runsOn: string[];
      result: string;
      role: string | null;
      runner: string | null;
      queuedAt: string | null;
      startedAt: string | null;
      stoppedAt: string | null;
      outputs: Record<string, string>;
      logFile: string;
      steps: { name: string; result: string; outcome: string }[];
    }[];
  }[];
}

test("run examples/hello --json succeeds and routes matrix jobs to the role their labels select", async () => {
  const r = await runCli(["run", "examples/hello", "--json"], { timeoutMs: 90_000 });
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as Summary;
  assert.equal(summary.ok, true);
  const jobs = summary.runs[0]?.jobs ?? [];
  assert.equal(jobs.length, 4, "2 matrix jobs + build + audit");
  for (const job of jobs) {
    assert.equal(job.result, "success", job.name);
    assert.ok(job.startedAt && job.stoppedAt && job.queuedAt, "timestamps are set");
    assert.ok(existsSync(job.logFile), "a plain-text copy of the log exists");
    assert.ok(job.steps.length > 0 && job.steps.every((s) => s.result === "success"));
  }
  const greet = jobs.filter((j) => j.matrix.role !== undefined);
  assert.equal(greet.length, 2);
  for (const g of greet) assert.equal(g.role, g.matrix.role, `${g.name} ran on role ${g.role}`);
  const build = jobs.find((j) => j.name === "build");
  const audit = jobs.find((j) => j.name === "audit");
  assert.match(build?.outputs.digest ?? "", /^[0-9a-f]{16}$/);
  assert.equal(audit?.role, "audit");
  assert.match(readFileSync(audit?.logFile ?? "", "utf8"), new RegExp(`audited build ${build?.outputs.digest}`));
});

test("a job no role serves fails within seconds and names the missing labels", async () => {
  const r = await runCli(["run", "test/e2e/fixtures/unserved", "--json"], { timeoutMs: 60_000 });
  assert.equal(r.code, 1);
  assert.ok(r.ms < 20_000, `took ${r.ms} ms`);
  const summary = JSON.parse(r.stdout) as Summary;
  const jobs = summary.runs[0]?.jobs ?? [];
  assert.equal(jobs.find((j) => j.name === "fine")?.result, "success");
  const gpu = jobs.find((j) => j.name === "gpu");
  assert.equal(gpu?.result, "failure");
  const log = readFileSync(gpu?.logFile ?? "", "utf8");
  assert.match(log, /gpu/);
  assert.match(log, /cuda/);
  assert.match(log, /self-hosted, linux/, "lists the labels the runners have");
});

test("a workflow with a YAML error fails with file:line:col", async () => {
  const r = await runCli(["run", "test/e2e/fixtures/bad-yaml", "--json"], { timeoutMs: 60_000 });
  assert.equal(r.code, 1);
  const summary = JSON.parse(r.stdout) as Summary;
  assert.match(summary.runs[0]?.error ?? "", /\.gitea\/workflows\/ci\.yml:\d+:\d+: error: /);
});

test("a bad flag is a usage error with exit code 2", async () => {
  const r = await runCli(["run", "--evnt", "push"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage: runnerpool run/);
});

test("--secret NAME and --secret-file keep values out of every process's arguments and out of the log", async () => {
  const fromEnv = "env-secret-5b1e0c7d";
  const fromFile = "file-secret-a4f09e21";
  const dir = mkdtempSync(join(tmpdir(), "rp-secrets-"));
  const envFile = join(dir, "secrets.env");
  writeFileSync(envFile, `# deploy credentials\nFROM_FILE="${fromFile}"\n`, { mode: 0o600 });
  const seen: string[] = [];
  let running = true;
  const watch = (async () => {
    while (running) {
      for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        try {
          const args = readFileSync(`/proc/${pid}/cmdline`, "utf8");
          if (args.includes(fromEnv) || args.includes(fromFile)) seen.push(args.replaceAll("\0", " "));
        } catch {
          // the process ended
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    const r = await runCli(
      ["run", "test/e2e/fixtures/secrets", "--secret", "FROM_ENV", "--secret-file", envFile, "--json"],
      { timeoutMs: 90_000, env: { FROM_ENV: fromEnv } },
    );
    running = false;
    await watch;
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(seen, [], "a secret was in some process's arguments");
    const log = readFileSync((JSON.parse(r.stdout) as Summary).runs[0]?.jobs[0]?.logFile ?? "", "utf8");
    assert.match(log, /env secret: \*\*\*/);
    assert.match(log, /file secret: \*\*\*/);
    for (const leak of [fromEnv, fromFile, Buffer.from(fromEnv).toString("base64").slice(0, 16)]) {
      assert.equal(log.includes(leak), false, `${leak} in the log`);
    }
  } finally {
    running = false;
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--secret NAME=value is refused: the value would be in the process arguments", async () => {
  const r = await runCli(["run", "examples/hello", "--secret", "K=v"], { timeoutMs: 30_000 });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /would put the value in the process arguments.*export K and pass --secret K/);
});
