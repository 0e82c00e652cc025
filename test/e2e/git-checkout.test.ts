import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { runCli } from "../support/cli.js";
import { gitEnv } from "../support/git-client.js";
import { until } from "../support/pool-harness.js";

// Issue C end to end: every checkout is a real clone over HTTP from the coordinator's git server on
// 127.0.0.1 (`run` serves its repository, `up` takes pushes), with the job's own token.

const BIN = fileURLToPath(new URL("../../bin/runnerpool.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "rp-git-e2e-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// Synchronous, so fixtures read as a script; the environment is the shared test client's.
const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, { cwd, env: gitEnv, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

function commit(root: string, files: Record<string, string>, msg: string): string {
  write(root, files);
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", msg);
  return git(root, "rev-parse", "HEAD");
}

const POOL = (state: string) =>
  `[runner]\nstate_dir = "${state}"\nworkdir_parent = "${join(state, "work")}"\n` +
  '[[role]]\nname = "linux"\nlabels = ["self-hosted", "linux"]\nbackend = "auto"\ncapacity = 2\n';

const CHECKOUT_WORKFLOW = `on: push
jobs:
  co:
    runs-on: [self-hosted, linux]
    outputs:
      ref: \${{ steps.co.outputs.ref }}
      commit: \${{ steps.co.outputs.commit }}
      greeting: \${{ steps.read.outputs.greeting }}
      old: \${{ steps.old.outputs.commit }}
    steps:
      - id: co
        uses: actions/checkout@v4
      - id: read
        run: |
          echo "greeting=$(cat greeting.txt)" >> "$GITHUB_OUTPUT"
          # Objects may come from the host's mirror: git in the job must still read them.
          test "$(git rev-parse HEAD)" = "\${{ steps.co.outputs.commit }}"
          git log -1 --format=%s
          # Nothing of the token is left in the clone.
          ! git config --get-regexp '^http\\..*extraheader'
          ! grep -rqiF "\${{ github.token }}" .git
          ! grep -rqi authorization .git/config
      - id: old
        uses: actions/checkout@v4
        with:
          ref: \${{ vars.OLD }}
          path: old
      - run: test "$(cat old/greeting.txt)" = one
`;

describe("runnerpool run: checkouts clone from the coordinator", () => {
  const repo = join(dir, "app");
  let one = "";
  let two = "";

  before(() => {
    git(dir, "init", "-q", "-b", "main", repo);
    one = commit(repo, { "greeting.txt": "one\n", ".gitea/workflows/co.yml": CHECKOUT_WORKFLOW }, "one");
    git(repo, "tag", "v1.0");
    two = commit(repo, { "greeting.txt": "two\n" }, "two");
    writeFileSync(join(dir, "pool.toml"), POOL(join(dir, "run-state")));
  });

  const run = async (...args: string[]) => {
    const r = await runCli(["run", repo, "--config", join(dir, "pool.toml"), "--json", ...args], {
      timeoutMs: 60_000,
      env: { TMPDIR: dir },
    });
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    const summary = JSON.parse(r.stdout) as { runs: { ref: string; jobs: { outputs: Record<string, string> }[] }[] };
    return summary.runs[0]!;
  };

  test("a branch run checks out its commit, a SHA ref checks out that commit, and no credential is left", async () => {
    const r = await run("--var", `OLD=${one}`);
    assert.equal(r.ref, "refs/heads/main");
    assert.deepEqual(r.jobs[0]?.outputs, { ref: "refs/heads/main", commit: two, greeting: "two", old: one });
  });

  test("--ref v1.0 runs on the tag: github.ref is the tag and the checkout is the tag's commit", async () => {
    const r = await run("--ref", "v1.0", "--var", `OLD=${one}`);
    assert.equal(r.ref, "refs/tags/v1.0");
    assert.deepEqual(r.jobs[0]?.outputs, { ref: "refs/tags/v1.0", commit: one, greeting: "one", old: one });
  });
});

interface UpEvent {
  event: string;
  text?: string;
  run?: number;
  job?: { id: number; run: number; name: string; attempt: number };
  result?: string;
}

describe("runnerpool up: a push over HTTP with the push token starts the matching workflows", () => {
  const state = join(dir, "up-state");
  const work = join(dir, "pushed");
  let up: ChildProcess;
  let out = "";
  let base = "";
  const events = () =>
    out
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as UpEvent);
  const finished = (name: string) => events().filter((e) => e.event === "finished" && e.job?.name === name);
  const notes = () => events().flatMap((e) => (e.event === "note" && e.text ? [e.text] : []));
  const remote = () =>
    `${base.replace("://", `://me:${readFileSync(join(state, "push-token"), "utf8").trim()}@`)}/acme/app.git`;

  const job = (name: string, on: string, run: string) =>
    `on:\n  push:\n${on}\njobs:\n  ${name}:\n    runs-on: [self-hosted, linux]\n    steps:\n      - uses: actions/checkout@v4\n      - run: ${run}\n`;

  before(async () => {
    writeFileSync(join(dir, "up.toml"), POOL(state));
    up = spawn(process.execPath, [BIN, "up", "--config", join(dir, "up.toml"), "--listen", "127.0.0.1:0", "--json"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    up.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    up.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    await until(() => events().some((e) => e.event === "ready"), "up is ready", 30_000);
    base = (JSON.parse(readFileSync(join(state, "admin.json"), "utf8")) as { url: string }).url;
    git(dir, "init", "-q", "-b", "main", work);
    commit(
      work,
      {
        ".gitea/workflows/ci.yml": job("ci", "    branches: [main]\n    paths: ['src/**']", "cat src/a.txt"),
        ".gitea/workflows/docs.yml": job("docs", "    branches: ['**']\n    paths: ['docs/**']", "cat docs/d.md"),
        ".gitea/workflows/release.yml": job("release", "    tags: ['v*']", 'test "$GITHUB_REF" = refs/tags/v2.0'),
        "src/a.txt": "a\n",
      },
      "first",
    );
  });
  after(async () => {
    if (up.exitCode === null) {
      up.kill("SIGTERM");
      await new Promise((r) => up.once("exit", r));
    }
  });

  test("up prints the push remote and keeps the push token in a file of mode 0600", () => {
    assert.equal(statSync(join(state, "push-token")).mode & 0o777, 0o600);
    assert.ok(notes().some((n) => n.includes(`git remote add runnerpool ${base}/<owner>/<name>.git`)));
  });

  test("a push without the token is refused", () => {
    assert.throws(() => git(work, "push", `${base}/acme/app.git`, "main"), /Authentication failed|could not read/);
  });

  test("a branch push runs the workflow whose branches and paths match, and only that one", async () => {
    git(work, "push", "-q", remote(), "main");
    await until(() => finished("ci").length === 1, "ci finished", 30_000);
    assert.equal(finished("ci")[0]?.result, "success");
    commit(work, { "docs/d.md": "d\n" }, "docs");
    git(work, "push", "-q", remote(), "main");
    await until(() => finished("docs").length === 1, "docs finished", 30_000);
    assert.equal(finished("docs")[0]?.result, "success");
    assert.equal(finished("ci").length, 1, "a docs-only push does not run ci");
    assert.equal(finished("release").length, 0);
  });

  test("a tag push runs the workflow with a matching tags filter", async () => {
    git(work, "tag", "v2.0");
    git(work, "push", "-q", remote(), "v2.0");
    await until(() => finished("release").length === 1, "release finished", 30_000);
    assert.equal(finished("release")[0]?.result, "success");
  });

  test("a pushed workflow with a YAML error is reported and the coordinator keeps serving", async () => {
    commit(work, { ".gitea/workflows/bad.yml": "on: push\njobs:\n  x: [unclosed\n", "src/a.txt": "b\n" }, "bad");
    git(work, "push", "-q", remote(), "main");
    await until(() => notes().some((n) => /bad\.yml not started/.test(n)), "the error is reported", 30_000);
    await until(() => finished("ci").length === 2, "ci ran for the same push", 30_000);
    // Still serving: fetches, pushes and runs go on.
    assert.match(git(dir, "ls-remote", remote(), "refs/heads/main"), /refs\/heads\/main/);
    commit(work, { "src/a.txt": "c\n" }, "after");
    git(work, "push", "-q", remote(), "main");
    await until(() => finished("ci").length === 3, "ci ran again", 30_000);
    assert.ok(finished("ci").every((e) => e.result === "success"));
  });

  test("every job event names its run and attempt, so runs of the same workflow stay apart", () => {
    const ci = finished("ci");
    assert.equal(new Set(ci.map((e) => e.run)).size, ci.length, "each ci run has its own id");
    for (const e of events().filter((x) => x.job !== undefined)) {
      assert.equal(e.run, e.job?.run);
      assert.equal(e.job?.attempt, 1);
    }
  });
});
