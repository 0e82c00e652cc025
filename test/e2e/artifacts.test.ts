import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  ArtifactStore,
  createArtifactHandler,
  createCoordinator,
  startCoordinatorServer,
} from "../../src/coordinator/index.js";
import { Harness } from "../support/e2e-harness.js";

/** The e2e harness with the coordinator's artifact API mounted, as `runnerpool run` and `up` do. */
class ArtifactHarness extends Harness {
  readonly artifacts = new ArtifactStore({ dir: join(this.dir, "artifacts") });

  override async start(): Promise<this> {
    this.coordinator = createCoordinator({ dbPath: join(this.dir, "c.db") });
    this.server = await startCoordinatorServer(this.coordinator, {
      handlers: [createArtifactHandler(this.coordinator.taskTokens, this.artifacts)],
    });
    return this;
  }
}

const h = new ArtifactHarness();
before(async () => {
  await h.start();
  await h.addRunner("art-1", ["linux"], 2);
});
after(() => h.close());

async function runToEnd(harness: Harness, workflow: string) {
  const runId = harness.submit(workflow);
  const run = await harness.coordinator.runs.waitForRun(runId, AbortSignal.timeout(60_000));
  const logs = Object.fromEntries(run.jobs.map((j) => [j.name, harness.coordinator.read.jobLog(j.id).join("\n")]));
  return { runId, run, logs };
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

const PIPELINE = `
name: artifacts
on: push
jobs:
  build:
    runs-on: linux
    steps:
      - run: mkdir -p dist/sub && echo hello > dist/a.txt && printf '%03000d' 0 > dist/sub/b.bin && echo no > dist/skip.map
      - id: up
        uses: actions/upload-artifact@v4
        with:
          name: dist
          path: |
            dist/
            !dist/**/*.map
      - run: test -n "\${{ steps.up.outputs.artifact-id }}" && echo "uploaded as \${{ steps.up.outputs.artifact-id }}"
      - uses: https://github.com/actions/upload-artifact@v3
        with:
          name: report
          path: dist/a.txt
  use:
    needs: build
    runs-on: linux
    steps:
      - id: one
        uses: actions/download-artifact@v4
        with:
          name: dist
          path: got
      - run: test "$(cat got/a.txt)" = hello && test "$(wc -c < got/sub/b.bin)" = 3000 && test ! -e got/skip.map
      - uses: actions/download-artifact@v3
      - run: test -f dist/a.txt && test -f report/a.txt
      - uses: actions/download-artifact@v4
        with:
          path: merged
          merge-multiple: true
      - run: test -f merged/a.txt && test -f merged/sub/b.bin && echo "path \${{ steps.one.outputs.download-path }}"
`;

test("a later job downloads what an earlier job of the same run uploaded, by name, all, or merged", async () => {
  const { runId, run, logs } = await runToEnd(h, PIPELINE);
  assert.equal(run.result, "success", JSON.stringify(logs, null, 2));
  const listed = h.artifacts.listArtifacts(runId);
  assert.deepEqual(
    listed.map((a) => [a.name, a.files.map((f) => [f.path, f.size, f.sha256])]),
    [
      [
        "dist",
        [
          ["a.txt", 6, sha("hello\n")],
          ["sub/b.bin", 3000, sha("0".repeat(3000))],
        ],
      ],
      ["report", [["a.txt", 6, sha("hello\n")]]],
    ],
  );
  assert.match(logs.build ?? "", new RegExp(`uploaded as ${listed[0]?.id}`));
  assert.match(logs.use ?? "", /path \/.*\/got/);
});

test("if-no-files-found: error fails the step, and the default only warns", async () => {
  const { run, logs } = await runToEnd(
    h,
    `
name: nothing
on: push
jobs:
  warn:
    runs-on: linux
    steps:
      - uses: actions/upload-artifact@v4
        with: { path: missing/ }
  fail:
    runs-on: linux
    steps:
      - uses: actions/upload-artifact@v4
        with: { path: missing/, if-no-files-found: error }
`,
  );
  const result = Object.fromEntries(run.jobs.map((j) => [j.name, j.result]));
  assert.deepEqual(result, { warn: "success", fail: "failure" });
  assert.match(logs.warn ?? "", /No files were found with the provided path: missing\//);
});

test("a second upload of a name fails unless overwrite is set", async () => {
  const { run, logs } = await runToEnd(
    h,
    `
name: twice
on: push
jobs:
  twice:
    runs-on: linux
    steps:
      - run: echo 1 > f.txt
      - uses: actions/upload-artifact@v4
        with: { name: same, path: f.txt }
      - uses: actions/upload-artifact@v4
        with: { name: same, path: f.txt, overwrite: true }
      - uses: actions/upload-artifact@v4
        with: { name: same, path: f.txt }
`,
  );
  assert.equal(run.result, "failure");
  const steps = run.jobs[0]?.steps.map((s) => s.result);
  assert.deepEqual(steps, ["success", "success", "success", "failure"]);
  assert.match(logs.twice ?? "", /artifact "same" already exists/);
});

test("against a server without the runnerpool artifact API the step fails and says what it needs", async () => {
  const plain = new Harness();
  try {
    await plain.start();
    await plain.addRunner("plain-1", ["linux"]);
    const { run, logs } = await runToEnd(
      plain,
      `
name: plain
on: push
jobs:
  up:
    runs-on: linux
    steps:
      - run: echo x > f.txt
      - uses: actions/upload-artifact@v4
        with: { path: f.txt }
`,
    );
    assert.equal(run.result, "failure");
    assert.match(logs.up ?? "", /native artifacts need the runnerpool coordinator/);
  } finally {
    await plain.close();
  }
});
