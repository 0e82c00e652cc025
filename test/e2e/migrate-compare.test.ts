import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { type CliResult, ROOT, runCli } from "../support/cli.js";

// Phase 2 of the design, end to end: the laptop-era release workflow (testdata/migrate) is rewritten
// side by side, v1 and v2 run on the pool, `compare` checks results and artifact digests, and
// `promote` replaces v1 only after three consecutive equal comparisons.

const V1_SOURCE = join(ROOT, "testdata/migrate/repo/.gitea/workflows/widget-release.yml");
const LAPTOP_PATH = "/home/koder/dev/koder";
const work = mkdtempSync(join(tmpdir(), "rp-migrate-e2e-"));
const repo = join(work, "widget");
const workflows = join(repo, ".gitea", "workflows");
const v1 = join(workflows, "widget-release.yml");
const v2 = join(workflows, "widget-release-v2.yml");
const history = join(work, "history");
const data = join(repo, "tools", "widget", "src", "data.txt");
const TAG = "refs/tags/widget-v1.2.3";

before(() => {
  cpSync(join(ROOT, "test/e2e/fixtures/migrate-release"), repo, { recursive: true });
  mkdirSync(workflows, { recursive: true });
  // As on the laptop: LOCAL_REPO is the developer's worktree, which here is this copy.
  writeFileSync(v1, readFileSync(V1_SOURCE, "utf8").replaceAll(LAPTOP_PATH, repo));
  // The laptop's label for v1, the pool's role for v2; both on the host backend.
  writeFileSync(
    join(work, "pool.toml"),
    '[[role]]\nname = "laptop"\nlabels = ["ubuntu-latest"]\nbackend = "host"\n\n' +
      '[[role]]\nname = "linux"\nlabels = ["self-hosted", "linux"]\nbackend = "host"\n',
  );
});
after(() => rmSync(work, { recursive: true, force: true }));

/** `runnerpool run --json` of one or all workflows of the repository; the summary lands in `work/<out>`. */
async function runPool(out: string, workflow?: string): Promise<string> {
  const args = ["run", repo, "--ref", TAG, "--config", join(work, "pool.toml"), "--json", "--no-logs"];
  // TMPDIR: the run's scratch dir (logs, artifacts) goes away with `work`.
  const r = await runCli(workflow ? [...args, "--workflow", workflow] : args, {
    timeoutMs: 90_000,
    env: { TMPDIR: work },
  });
  assert.equal(r.code, 0, `${out}: ${r.stderr.slice(-3000)}`);
  writeFileSync(join(work, out), r.stdout);
  return join(work, out);
}

const compare = (...files: string[]) => runCli(["migrate", "compare", ...files, "--history", history], { cwd: work });
const promote = (...extra: string[]) =>
  runCli(["migrate", "promote", v1, "--history", history, ...extra], { cwd: work });

function expectRefusal(r: CliResult, streak: number): void {
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stderr, new RegExp(`not promoted: widget-release: ${streak} of 3 consecutive equal comparisons`));
  assert.ok(existsSync(v2), "v2 is still there");
}

test("migrate rewrite --v2 writes a copy that @actions/workflow-parser accepts without errors", async () => {
  const r = await runCli(
    ["migrate", "rewrite", repo, "--v2", "--config", join(ROOT, "testdata/migrate/runnerpool.toml")],
    { cwd: work },
  );
  assert.equal(r.code, 0, r.stderr);
  const content = readFileSync(v2, "utf8");
  assert.match(content, /uses: actions\/checkout@v4/);
  assert.match(content, /runs-on: \[self-hosted, linux\]/);
  assert.match(content, /^name: Widget release \(v2\)$/m);
  assert.doesNotMatch(content, /LOCAL_REPO/);
  const parsed = parseWorkflow({ name: "widget-release-v2.yml", content }, new NoOperationTraceWriter());
  assert.deepEqual(
    parsed.context.errors.getErrors().map((e) => e.message),
    [],
  );
});

test("v1 and v2 run green on the pool, upload the same artifact, and compare A B reports them equal", async () => {
  const a = await runPool("a.json", v1);
  const b = await runPool("b.json", v2);
  const summary = JSON.parse(readFileSync(b, "utf8")) as {
    runs: { jobs: { role: string; steps: { name: string }[] }[]; artifacts: { name: string; dir: string }[] }[];
  };
  const run = summary.runs[0];
  assert.equal(run?.jobs[0]?.role, "linux", "v2 ran on the pool's role, not the laptop's");
  assert.deepEqual(run?.jobs[0]?.steps[0]?.name, "Checkout");
  assert.deepEqual(readdirSync(run?.artifacts[0]?.dir ?? "").sort(), [
    "MANIFEST",
    "VERSION",
    "data.txt",
    "greeting.txt",
  ]);
  const r = await compare(a, b);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /= widget: equal \(4 files\)/);
  assert.match(r.stdout, /verdict: EQUAL/);
  assert.match(r.stderr, /widget-release: 1 of 3 consecutive equal comparisons/);
});

test("one changed byte in an artifact's input is reported as the one file that differs", async () => {
  const original = readFileSync(data, "utf8");
  writeFileSync(data, original.replace("0123456789", "0123456780"));
  let changed: string;
  try {
    changed = await runPool("b-changed.json", v2);
  } finally {
    writeFileSync(data, original);
  }
  const r = await runCli(["migrate", "compare", join(work, "a.json"), changed, "--history", history, "--json"], {
    cwd: work,
  });
  assert.equal(r.code, 1);
  const report = JSON.parse(r.stdout) as {
    equal: boolean;
    comparisons: {
      resultsEqual: boolean;
      artifacts: {
        name: string;
        status: string;
        equalFiles: number;
        differences: { path: string; status: string }[];
      }[];
    }[];
  };
  assert.equal(report.equal, false);
  assert.equal(report.comparisons[0]?.resultsEqual, true);
  const widget = report.comparisons[0]?.artifacts[0];
  assert.deepEqual([widget?.name, widget?.status, widget?.equalFiles], ["widget", "differs", 3]);
  assert.deepEqual(
    widget?.differences.map((d) => [d.path, d.status]),
    [["data.txt", "differs"]],
  );
  expectRefusal(await promote(), 0);
});

test("promote refuses until three consecutive equal comparisons, then archives v1 and puts v2 in its place", async () => {
  const v1Before = readFileSync(v1, "utf8");
  const v2Text = readFileSync(v2, "utf8");
  // One `run` of the repository runs v1 and v2 side by side; `compare` with one summary pairs them.
  for (const round of [1, 2]) {
    const r = await compare(await runPool(`both-${round}.json`));
    assert.equal(r.code, 0, r.stdout);
    expectRefusal(await promote(), round);
  }
  const both = await runPool("both-3.json");
  const third = await compare(both);
  assert.equal(third.code, 0, third.stdout);
  // The same two runs, read from the coordinator database `run` leaves in its scratch dir.
  const runs = (
    JSON.parse(readFileSync(both, "utf8")) as {
      runs: { runId: number; workflow: string; jobs: { logFile: string }[] }[];
    }
  ).runs;
  const idOf = (isV2: boolean) => String(runs.find((r) => r.workflow.endsWith("-v2.yml") === isV2)?.runId);
  const db = join(dirname(dirname(runs[0]?.jobs[0]?.logFile ?? "")), "coordinator.db");
  const byId = await runCli(["migrate", "compare", "--db", db, idOf(false), idOf(true), "--no-history"], { cwd: work });
  assert.equal(byId.code, 0, byId.stdout + byId.stderr);
  assert.match(byId.stdout, /= widget: equal \(4 files\)/);
  const dry = await promote("--dry-run");
  assert.equal(dry.code, 0, dry.stderr);
  assert.ok(existsSync(v2), "a dry run changes nothing");
  const r = await promote();
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /promoted .*widget-release-v2\.yml -> .*widget-release\.yml after 3 consecutive equal comparisons/,
  );
  const archived = join(repo, ".gitea", "workflows-archive", "widget-release.yml");
  assert.equal(readFileSync(archived, "utf8"), v1Before);
  assert.equal(readFileSync(v1, "utf8"), v2Text.replace("name: Widget release (v2)", "name: Widget release"));
  assert.deepEqual(readdirSync(workflows), ["widget-release.yml"]);
  const again = await promote();
  assert.equal(again.code, 1, "nothing left to promote");
});
