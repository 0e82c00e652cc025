import assert from "node:assert/strict";
import { test } from "node:test";
import { type ComparableRun, readRunSummary, workflowKey } from "./comparable-run.js";
import { formatComparison } from "./compare-report.js";
import { compareRuns } from "./compare-runs.js";
import { pairRuns } from "./pair-runs.js";

const file = (path: string, sha: string, size = 10) => ({ path, size, sha256: sha.repeat(64).slice(0, 64) });

function run(workflow: string, over: Partial<ComparableRun> = {}, seconds = 10): ComparableRun {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
  return {
    source: `${workflowKey(workflow)}.json`,
    workflow,
    jobs: [
      { name: "build", matrix: {}, result: "success", queuedAt: at(0), startedAt: at(0), stoppedAt: at(seconds) },
      { name: "test", matrix: { os: "linux" }, result: "success", queuedAt: at(0), startedAt: at(1), stoppedAt: at(5) },
    ],
    artifacts: [{ name: "dist", files: [file("a.txt", "a"), file("lib/b.bin", "b")] }],
    ...over,
  };
}

const v1 = ".gitea/workflows/probe-release.yml";
const v2 = ".gitea/workflows/probe-release-v2.yml";

test("two runs with the same results and artifact digests are equal, with wall times and their ratio", () => {
  const c = compareRuns(run(v1, {}, 20), run(v2, {}, 10));
  assert.equal(c.equal, true);
  assert.equal(c.workflow, "probe-release");
  assert.deepEqual(c.reasons, []);
  const build = c.jobs.find((j) => j.name === "build");
  assert.deepEqual([build?.a?.wallMs, build?.b?.wallMs, build?.ratio], [20_000, 10_000, 0.5]);
  assert.equal(c.ratio, 0.5);
  assert.deepEqual(
    c.artifacts.map((x) => [x.name, x.status, x.equalFiles]),
    [["dist", "equal", 2]],
  );
  assert.match(formatComparison(c), /verdict: EQUAL/);
});

test("a file whose digest changed is named, and so are files only on one side", () => {
  const b = run(v2, {
    artifacts: [{ name: "dist", files: [file("a.txt", "a"), file("lib/b.bin", "c"), file("new.txt", "n")] }],
  });
  const c = compareRuns(run(v1), b);
  assert.equal(c.equal, false);
  assert.equal(c.resultsEqual, true);
  assert.deepEqual(
    c.artifacts[0]?.differences.map((d) => [d.path, d.status]),
    [
      ["lib/b.bin", "differs"],
      ["new.txt", "only-in-b"],
    ],
  );
  assert.deepEqual(c.reasons, ["artifact dist: lib/b.bin differs", "artifact dist: new.txt is only in B"]);
  const text = formatComparison(c);
  assert.match(text, /differs {4}lib\/b\.bin/);
  assert.match(text, /verdict: DIFFERENT: artifact dist: lib\/b\.bin differs/);
});

test("jobs match by name and matrix; a changed result or a missing job makes the runs different", () => {
  const b = run(v2);
  b.jobs = [
    { ...(b.jobs[0] as ComparableRun["jobs"][number]), result: "failure" },
    { ...(b.jobs[1] as ComparableRun["jobs"][number]), matrix: { os: "arm" } },
  ];
  const c = compareRuns(run(v1), b);
  assert.equal(c.resultsEqual, false);
  assert.deepEqual(c.reasons, [
    "job build: success in A, failure in B",
    'job test {"os":"linux"} is only in A',
    'job test {"os":"arm"} is only in B',
  ]);
  assert.equal(c.b.green, false);
});

test("an artifact only one run uploaded makes them different; no artifacts at all is noted, not failed", () => {
  assert.deepEqual(compareRuns(run(v1), run(v2, { artifacts: [] })).reasons, ["artifact dist is only in A"]);
  const none = compareRuns(run(v1, { artifacts: [] }), run(v2, { artifacts: [] }));
  assert.equal(none.equal, true);
  assert.match(none.notes.join(), /neither run uploaded artifacts/);
  const old = compareRuns(run(v1, { artifacts: undefined }), run(v2));
  assert.match(old.notes.join(), /without artifact digests/);
});

test("a run summary is read from `run --json` output and anything else is refused with what to pass", () => {
  const summary = {
    ok: true,
    runs: [{ workflow: v1, event: "push", ref: "refs/heads/main", jobs: run(v1).jobs, artifacts: run(v1).artifacts }],
  };
  const runs = readRunSummary(JSON.stringify(summary), "a.json");
  assert.equal(runs.length, 1);
  assert.equal(runs[0]?.source, "a.json");
  assert.deepEqual(runs[0]?.artifacts, run(v1).artifacts);
  assert.throws(() => readRunSummary("{", "x.json"), { code: "INVALID_ARGUMENT", message: /is not JSON/ });
  assert.throws(() => readRunSummary('{"ok":true}', "y.json"), /"y.json" is not a run summary \(runs: /);
});

test("runs pair one to one, by workflow across summaries, or v1 with v2 inside one summary", () => {
  const a = run(v1);
  const b = run(v2);
  const other = run(".gitea/workflows/deploy.yml");
  assert.equal(pairRuns([a], [run(".gitea/workflows/anything.yml")]).pairs.length, 1);
  const across = pairRuns([a, other], [b]);
  assert.deepEqual(
    across.pairs.map(([x, y]) => [x.workflow, y.workflow]),
    [[v1, v2]],
  );
  assert.deepEqual(across.unpaired, ["deploy: only in deploy.json"]);
  const inside = pairRuns([b, other, a], undefined);
  assert.deepEqual(
    inside.pairs.map(([x, y]) => [x.workflow, y.workflow]),
    [[v1, v2]],
  );
  assert.deepEqual(inside.unpaired, ["deploy: deploy.json has no v2 run of it"]);
});
