import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isSandboxAvailable } from "../../src/executor/index.js";
import type { PoolRole } from "../../src/pool/index.js";
import { PoolHarness } from "../support/pool-harness.js";

// The "must show": three roles (linux x 4 slots, iso privileged, deploy with secrets) on a
// real coordinator; jobs land where their labels say, policy and secrets hold, the wave overlaps.

const sandbox = await isSandboxAvailable();
// A linux job must not be able to read the deploy secrets by path: that takes the sandbox.
const skip = sandbox ? false : "bubblewrap is missing: the linux and deploy roles need the sandbox backend";
const SECRET = "deploy-secret-4711";

const WORKFLOW = `on: push
jobs:
  build:
    runs-on: [self-hosted, linux]
    steps:
      - run: |
          env
          echo "secrets dir: [$RUNNERPOOL_SECRETS_DIR]"
          cat "$SECRETS_PATH/token" || echo "cannot read the deploy secret"
        env:
          SECRETS_PATH: \${{ vars.SECRETS_PATH }}
  image:
    runs-on: [self-hosted, iso]
    steps:
      - run: echo "building the iso for $GITHUB_REF"
  deploy:
    runs-on: [self-hosted, deploy]
    steps:
      - run: |
          echo "deploying with $(cat "$RUNNERPOOL_SECRETS_DIR/token")"
          echo "reversed: $(rev "$RUNNERPOOL_SECRETS_DIR/token")"
`;

/** The privileged role: runs main and distro tags, and only jobs that name "iso". */
const ISO: PoolRole = {
  name: "iso",
  labels: ["self-hosted", "iso"],
  backend: "host",
  capacity: 1,
  env: {},
  privileged: true,
  allowedRefs: ["refs/heads/main", "refs/tags/distro-v*"],
};

/** Jobs that name no role: `any` runs on [self-hosted], `none` has no runs-on; `n` copies of each. */
function unnamedJobs(n: number): string {
  const matrix = `    strategy:\n      matrix:\n        n: [${Array.from({ length: n }, (_, i) => i + 1).join(", ")}]\n`;
  return `on: push\njobs:\n  any:\n    runs-on: [self-hosted]\n${matrix}    steps:\n      - run: echo any\n  none:\n${matrix}    steps:\n      - run: echo none\n`;
}

describe("a pool of three roles", { skip }, () => {
  const h = new PoolHarness();
  let secrets = "";
  before(async () => {
    secrets = join(h.dir, "deploy-secrets");
    mkdirSync(secrets);
    writeFileSync(join(secrets, "token"), `${SECRET}\n`, { mode: 0o600 });
    const roles: PoolRole[] = [
      { name: "linux", labels: ["self-hosted", "linux"], backend: "sandbox", capacity: 4, env: {} },
      ISO,
      {
        name: "deploy",
        labels: ["self-hosted", "deploy"],
        backend: "sandbox",
        capacity: 1,
        env: {},
        secretsDir: secrets,
      },
    ];
    await h.start(roles);
  });
  after(() => h.close());

  const submit = (ref: string) => {
    const parsed = h.submit(WORKFLOW.replace("${{ vars.SECRETS_PATH }}", secrets), ref);
    return h.wait(parsed);
  };
  const byName = async (ref: string) => {
    const run = await submit(ref);
    return Object.fromEntries(run.jobs.map((j) => [j.name, j]));
  };

  test("jobs land on the role their labels select; an allowed tag runs on iso", async () => {
    const jobs = await byName("refs/tags/distro-v1.0");
    for (const [name, role] of [
      ["build", "linux"],
      ["image", "iso"],
      ["deploy", "deploy"],
    ] as const) {
      assert.equal(jobs[name]?.result, "success", `${name}: ${h.log(jobs[name]?.id ?? 0)}`);
      assert.equal(h.supervisor.roleOfRunner(jobs[name]?.runnerName ?? ""), role, name);
    }
    assert.match(h.log(jobs.image?.id ?? 0), /building the iso for refs\/tags\/distro-v1\.0/);
  });

  test("a branch the iso role does not allow is refused with the reason in the log", async () => {
    const jobs = await byName("refs/heads/feature/x");
    assert.equal(jobs.image?.result, "failure");
    const log = h.log(jobs.image?.id ?? 0);
    assert.match(log, /privileged role "iso" runs only refs matching/);
    assert.match(log, /"refs\/heads\/feature\/x" does not match/);
    assert.doesNotMatch(log, /building the iso/, "nothing of the job ran");
    assert.equal(jobs.build?.result, "success", "other roles are not affected");
  });

  test("runs-on [self-hosted] and a job without runs-on never reach iso or deploy", async () => {
    // Both match every role by labels alone; only the picker's routing keeps them off the guarded roles.
    const run = await h.wait(h.submit(unnamedJobs(6)));
    assert.equal(run.jobs.length, 12);
    for (const job of run.jobs) {
      assert.equal(job.result, "success", `${job.name}: ${h.log(job.id)}`);
      assert.equal(h.supervisor.roleOfRunner(job.runnerName ?? ""), "linux", job.name);
    }
  });

  test("a deploy job reads its secret, a linux job can neither see nor read it", async () => {
    const jobs = await byName("refs/heads/main");
    // The job reads the secret; its log shows it masked (the reversed text proves the read).
    const deploy = h.log(jobs.deploy?.id ?? 0);
    assert.match(deploy, /deploying with \*\*\*/);
    assert.match(deploy, new RegExp(`reversed: ${[...SECRET].reverse().join("")}`));
    const build = h.log(jobs.build?.id ?? 0);
    assert.match(build, /secrets dir: \[\]/);
    assert.match(build, /cannot read the deploy secret/);
    assert.doesNotMatch(build, new RegExp(SECRET));
  });

  test("job environments never contain a runner's own token", async () => {
    const jobs = await byName("refs/heads/main");
    const log = h.log(jobs.build?.id ?? 0);
    assert.match(log, /^.*GITHUB_WORKSPACE=/m, "the job's env was printed");
    const runnerDir = join(h.dir, "runners");
    const tokens = readdirSync(runnerDir).map(
      (f) => (JSON.parse(readFileSync(join(runnerDir, f), "utf8")) as { token: string; uuid: string }).token,
    );
    assert.ok(tokens.length >= 3);
    for (const t of tokens) assert.equal(log.includes(t), false, "a runner token leaked into the job env");
    assert.equal(log.includes(h.coordinator.runners.registrationToken()), false, "the registration token leaked");
  });
});

describe("the release wave", () => {
  const h = new PoolHarness();
  before(async () => {
    await h.start([{ name: "linux", labels: ["self-hosted", "linux"], backend: "host", capacity: 8, env: {} }]);
  });
  after(() => h.close());

  test("8 jobs of 2 s on 8 linux slots run concurrently: their intervals overlap", async () => {
    const run = await h.wait(
      h.submit(
        "on: push\njobs:\n  release:\n    runs-on: [self-hosted, linux]\n    strategy:\n      matrix:\n        n: [1, 2, 3, 4, 5, 6, 7, 8]\n    steps:\n      - run: sleep 2\n",
      ),
    );
    assert.equal(run.result, "success");
    const starts = run.jobs.map((j) => Date.parse(j.startedAt ?? ""));
    const stops = run.jobs.map((j) => Date.parse(j.stoppedAt ?? ""));
    assert.equal(run.jobs.length, 8);
    assert.ok(Math.max(...starts) < Math.min(...stops), "every job started before any finished");
    const makespan = Math.max(...stops) - Math.min(...starts);
    // In series the makespan would be the sum of the job times; a loaded machine stretches both alike.
    const serial = run.jobs.reduce((n, j) => n + Date.parse(j.stoppedAt ?? "") - Date.parse(j.startedAt ?? ""), 0);
    assert.ok(makespan < serial / 3, `makespan ${makespan} ms against ${serial} ms in series`);
  });
});

describe("a pool of guarded roles only", () => {
  const h = new PoolHarness();
  before(async () => {
    await h.start([ISO]);
  });
  after(() => h.close());

  test("jobs that do not name the privileged role are never offered to it and fail as unservable", async () => {
    // On the only role of the pool `self-hosted` is still no name of it.
    const run = await h.wait(h.submit(unnamedJobs(1)));
    assert.equal(run.jobs.length, 2);
    for (const job of run.jobs) {
      assert.equal(job.result, "failure", job.name);
      assert.equal(job.runnerName ?? "", "", `${job.name}: no runner took it`);
      assert.match(job.unservable ?? "", /no runner serves runs-on .*privileged or secret-holding roles/);
    }
  });
});
