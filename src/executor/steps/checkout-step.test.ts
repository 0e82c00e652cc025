import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { git, serveRepo, spawnGitServer, type TestGitServer } from "../../../test/support/git-server.js";
import { RecordingSink } from "../../../test/support/recording-sink.js";
import { payloadWithSteps, TEST_CONTEXT } from "../../../test/support/run-test-job.js";
import { createHostBackend } from "../backends/host.js";
import type { JobOutcome, RunJobOptions } from "../job-request.js";
import { runJob } from "../run-job.js";
import { repositoryUrl } from "./checkout-step.js";

const TOKEN = "task-token-0123456789";
let dir = "";
let server: TestGitServer;
let head = "";
let first = "";

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "checkout-step-"));
  const src = join(dir, "src");
  await git(dir, "init", "-q", "-b", "main", src);
  await writeFile(join(src, "greeting.txt"), "v1\n");
  await git(src, "add", ".");
  await git(src, "commit", "-q", "-m", "one");
  first = await git(src, "rev-parse", "HEAD");
  await git(src, "tag", "v1.0");
  await writeFile(join(src, "greeting.txt"), "v2\n");
  await mkdir(join(src, "docs"));
  await writeFile(join(src, "docs", "a.md"), "doc\n");
  await git(src, "add", ".");
  await git(src, "commit", "-q", "-m", "two");
  head = await git(src, "rev-parse", "HEAD");
  await serveRepo(join(dir, "repos"), "acme", "app", src);
  // Fetch needs the task token, as on the coordinator.
  server = await spawnGitServer(join(dir, "repos"), ["--user", `x-access-token:${TOKEN}`, "--private"]);
});

after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(steps: string, extra: Partial<RunJobOptions> = {}): Promise<{ outcome: JobOutcome; text: string }> {
  const parent = await mkdtemp(join(dir, "job-"));
  const sink = new RecordingSink();
  const outcome = await runJob({
    request: {
      payload: payloadWithSteps(steps),
      context: { ...TEST_CONTEXT, repository: "acme/app", sha: head, server_url: `${server.url}/`, token: TOKEN },
      secrets: {},
      vars: {},
      needs: {},
    },
    backend: createHostBackend({ workdirParent: parent }),
    sink,
    signal: new AbortController().signal,
    ...extra,
  });
  return { outcome, text: sink.text };
}

test("repository urls join the server url and owner/name, and full urls stay as they are", () => {
  assert.equal(repositoryUrl("http://h:1/", "a/b"), "http://h:1/a/b.git");
  assert.equal(repositoryUrl("http://h:1", "a/b.git"), "http://h:1/a/b.git");
  assert.equal(repositoryUrl("http://h:1/", "https://other/x/y.git"), "https://other/x/y.git");
});

test("actions/checkout clones the run's commit shallow and sets the ref and commit outputs", async () => {
  const { outcome, text } = await run(
    [
      "- id: co",
      "  uses: actions/checkout@v4",
      "- run: |",
      '    test "$(cat greeting.txt)" = v2',
      '    test "$(git rev-list --count HEAD)" = 1',
      "    ! grep -qi authorization .git/config",
      '    echo "ref=${{ steps.co.outputs.ref }} commit=${{ steps.co.outputs.commit }}"',
    ].join("\n"),
  );
  assert.equal(outcome.result, "success", text);
  assert.match(text, new RegExp(`ref=refs/heads/main commit=${head}`));
});

test("a tag ref and a sha are checked out as asked", async () => {
  const { outcome, text } = await run(
    [
      "- uses: actions/checkout@v3",
      "  with: { ref: v1.0, path: tagged }",
      `- uses: https://github.com/actions/checkout@main`,
      `  with: { ref: '${first}', path: by-sha }`,
      "- run: |",
      '    test "$(cat tagged/greeting.txt)" = v1',
      `    test "$(git -C by-sha rev-parse HEAD)" = ${first}`,
    ].join("\n"),
  );
  assert.equal(outcome.result, "success", text);
});

test("persist-credentials true leaves the token header in .git/config, masked in the log", async () => {
  const { outcome, text } = await run(
    ["- uses: actions/checkout@v4", "  with: { persist-credentials: true }", "- run: git fetch -q origin main"].join(
      "\n",
    ),
  );
  assert.equal(outcome.result, "success", text);
  assert.doesNotMatch(text, new RegExp(TOKEN));
});

test("the pool's policy sets depth and sparse checkout narrows the tree", async () => {
  const { outcome, text } = await run(
    [
      "- uses: actions/checkout@v4",
      "  with: { sparse-checkout: docs }",
      "- run: |",
      "    test -f docs/a.md",
      '    test "$(git rev-list --count HEAD)" = 2',
    ].join("\n"),
    { git: { depth: 0 } },
  );
  assert.equal(outcome.result, "success", text);
});

test("lfs and paths outside the workspace fail the step with a clear message", async () => {
  const lfs = await run("- uses: actions/checkout@v4\n  with: { lfs: true }");
  assert.equal(lfs.outcome.result, "failure");
  assert.match(lfs.text, /'lfs' is not supported/);
  const outside = await run("- uses: actions/checkout@v4\n  with: { path: ../elsewhere }");
  assert.equal(outside.outcome.result, "failure");
  assert.match(outside.text, /outside the workspace/);
});

test("a wrong token fails the checkout", async () => {
  const { outcome, text } = await run("- uses: actions/checkout@v4\n  with: { token: nope }");
  assert.equal(outcome.result, "failure");
  assert.match(text, /git fetch failed.*could not read Username/);
});
