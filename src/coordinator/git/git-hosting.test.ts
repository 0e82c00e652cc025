import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { createHarness, type Harness } from "../../../test/support/coordinator-harness.js";
import { git, gitFails } from "../../../test/support/git-client.js";
import type { PushOutcome } from "../engine/events.js";
import { type CoordinatorServer, startCoordinatorServer } from "../service/server.js";

let dir = "";
let work = "";
let h: Harness;
let server: CoordinatorServer;
let pushToken = "";

function url(password: string, repo = "acme/app"): string {
  return `${server.url.replace("://", `://runnerpool:${password}@`)}/${repo}.git`;
}

async function commit(files: Record<string, string>, msg: string): Promise<string> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(work, path)), { recursive: true });
    await writeFile(join(work, path), text);
  }
  await git(work, "add", ".");
  await git(work, "commit", "-q", "-m", msg);
  return git(work, "rev-parse", "HEAD");
}

/** The runs a push created, by workflow file. */
function startedBy(outcomes: PushOutcome[]): Record<string, string> {
  return Object.fromEntries(outcomes.map((o) => [o.workflow, o.error === undefined ? o.ref : `error: ${o.error}`]));
}

const workflow = (on: string) => `on:\n${on}\njobs:\n  build:\n    runs-on: linux\n    steps:\n      - run: echo hi\n`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "git-hosting-"));
  work = join(dir, "work");
  h = createHarness({ reposDir: join(dir, "repos") });
  server = await startCoordinatorServer(h.coordinator);
  pushToken = h.coordinator.git.createPushToken();
  await git(dir, "init", "-q", "-b", "main", work);
  await commit(
    {
      ".gitea/workflows/ci.yml": workflow("  push:\n    branches: [main]\n    paths: ['src/**']"),
      ".gitea/workflows/docs.yml": workflow("  push:\n    branches: ['**']\n    paths: ['docs/**']"),
      ".gitea/workflows/release.yml": workflow("  push:\n    tags: ['v*']"),
      "src/a.txt": "a\n",
    },
    "first",
  );
});

after(async () => {
  await server.close();
  h.close();
  await rm(dir, { recursive: true, force: true });
});

test("a push without the push token is refused and creates nothing", async () => {
  const err = await gitFails(work, "push", url("wrong-token-123"), "main");
  assert.match(err, /Authentication failed|401/);
  assert.equal(h.coordinator.read.listRuns().length, 0);
});

test("the first push creates the repository and starts the workflows whose branch and paths filters match", async () => {
  const before = h.coordinator.git.pushOutcomes().length;
  await git(work, "push", "-q", url(pushToken), "main");
  const outcomes = h.coordinator.git.pushOutcomes().slice(before);
  assert.deepEqual(startedBy(outcomes), { ".gitea/workflows/ci.yml": "refs/heads/main" });
  const run = h.coordinator.read.getRun(outcomes[0]?.runId ?? -1);
  assert.equal(run?.repo, "acme/app");
  assert.equal(run?.sha, await git(work, "rev-parse", "HEAD"));
});

test("a push that changes only docs starts only the workflow filtering on docs paths", async () => {
  await commit({ "docs/readme.md": "hi\n" }, "docs");
  const before = h.coordinator.git.pushOutcomes().length;
  await git(work, "push", "-q", url(pushToken), "main");
  assert.deepEqual(startedBy(h.coordinator.git.pushOutcomes().slice(before)), {
    ".gitea/workflows/docs.yml": "refs/heads/main",
  });
});

test("a pushed tag starts the workflow with a matching tags filter at the tag's commit", async () => {
  await git(work, "tag", "-a", "-m", "release", "v1.0");
  const before = h.coordinator.git.pushOutcomes().length;
  await git(work, "push", "-q", url(pushToken), "v1.0");
  const outcomes = h.coordinator.git.pushOutcomes().slice(before);
  assert.deepEqual(startedBy(outcomes), { ".gitea/workflows/release.yml": "refs/tags/v1.0" });
  assert.equal(h.coordinator.read.getRun(outcomes[0]?.runId ?? -1)?.sha, await git(work, "rev-parse", "v1.0^{commit}"));
});

test("a pushed workflow with a YAML error is recorded and the coordinator keeps serving", async () => {
  await commit({ ".gitea/workflows/bad.yml": "on: push\njobs:\n  x: [unclosed\n", "src/b.txt": "b\n" }, "bad");
  const runs = h.coordinator.read.listRuns().length;
  const before = h.coordinator.git.pushOutcomes().length;
  await git(work, "push", "-q", url(pushToken), "main");
  const outcomes = startedBy(h.coordinator.git.pushOutcomes().slice(before));
  assert.match(outcomes[".gitea/workflows/bad.yml"] ?? "", /^error: .*bad\.yml/);
  assert.equal(outcomes[".gitea/workflows/ci.yml"], "refs/heads/main");
  assert.equal(h.coordinator.read.listRuns().length, runs + 1);
  // Still serving: another push goes through and a clone works.
  await commit({ ".gitea/workflows/bad.yml": workflow("  push:\n    branches: [main]") }, "fix");
  await git(work, "push", "-q", url(pushToken), "main");
  assert.equal(h.coordinator.read.listRuns().length, runs + 2);
  await git(dir, "clone", "-q", url(pushToken), join(dir, "clone-after-error"));
});

test("a running job's task token clones its own repository but cannot push or read another", async () => {
  h.coordinator.runs.create({
    repo: "acme/app",
    workflowFile: "x.yml",
    workflowName: "x",
    event: { name: "push", ref: "refs/heads/main", sha: await git(work, "rev-parse", "HEAD") },
    jobs: [
      {
        jobId: "j",
        name: "j",
        matrix: {},
        runsOn: ["tokens"],
        needs: [],
        payload: workflow("  push").replace("linux", "tokens"),
      },
    ],
  });
  const runner = await h.register("r", ["tokens"]);
  const task = await runner.take();
  const token = String(task.context?.token ?? "");
  assert.notEqual(token, "");
  await git(dir, "clone", "-q", "--depth=1", url(token), join(dir, "clone-task"));
  assert.match(
    await gitFails(join(dir, "clone-task"), "push", url(token), "HEAD:refs/heads/evil"),
    /401|Authentication/,
  );
  await git(work, "push", "-q", url(pushToken, "acme/other"), "main");
  assert.match(await gitFails(dir, "clone", "-q", url(token, "acme/other"), join(dir, "clone-other")), /401|Auth/);
});

test("a new push token revokes the previous one", async () => {
  const old = pushToken;
  pushToken = h.coordinator.git.createPushToken();
  assert.equal(h.coordinator.git.verifyPushToken(old), false);
  assert.equal(h.coordinator.git.verifyPushToken(pushToken), true);
});
