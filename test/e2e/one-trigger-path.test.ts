import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { openRunHistory, type RunView } from "../../src/coordinator/index.js";
import { runCli } from "../support/cli.js";
import { git } from "../support/git-client.js";
import { until } from "../support/pool-harness.js";

// Issue F: `git push` to `up` and `runnerpool run` take one trigger path, so the same workflow gives
// the same jobs, matrix, `github` context and event payload on both roads.

const BIN = fileURLToPath(new URL("../../bin/runnerpool.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "rp-one-road-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const POOL = (state: string) =>
  `[runner]\nstate_dir = "${state}"\nworkdir_parent = "${join(state, "work")}"\n` +
  '[[role]]\nname = "linux"\nlabels = ["self-hosted", "linux"]\nbackend = "auto"\ncapacity = 2\n';

// `github.*` decides the matrix, a job's runs-on and a job's if: planning must see what the job sees.
// Each leg writes what it sees and uploads it, so both roads leave it on disk.
const WORKFLOW = `name: One road
on:
  push:
    branches: [main]
jobs:
  build:
    runs-on: [self-hosted, "\${{ github.event_name == 'push' && 'linux' || 'nowhere' }}"]
    strategy:
      matrix:
        flavour: ["\${{ github.ref_name }}", "\${{ github.workflow }}"]
    steps:
      - run: |
          cat > seen.json <<'JSON'
          { "github": \${{ toJSON(github) }}, "matrix": \${{ toJSON(matrix) }} }
          JSON
      - uses: actions/upload-artifact@v4
        with:
          name: seen-\${{ matrix.flavour }}
          path: seen.json
  after:
    needs: build
    if: \${{ github.workflow == 'one.yml' && github.server_url != '' }}
    runs-on: [self-hosted, linux]
    steps:
      - run: echo "after \${{ needs.build.result }}"
`;

interface Seen {
  github: Record<string, unknown>;
  matrix: Record<string, unknown>;
}

/** What may differ between two runs on two servers: ids, tokens, times, paths and the server's address. */
function comparableSeen(seen: Seen, serverUrl: string): unknown {
  const text = JSON.stringify(seen).split(serverUrl.replace(/\/$/, "")).join("<server>");
  const { github, matrix } = JSON.parse(text) as Seen;
  for (const k of ["run_id", "run_number", "run_attempt", "token", "workspace", "event_path", "action_path"]) {
    delete github[k];
  }
  return { github, matrix };
}

function comparableRun(run: RunView): unknown {
  return {
    repo: run.repo,
    workflowFile: run.workflowFile,
    workflowName: run.workflowName,
    event: run.event,
    ref: run.ref,
    sha: run.sha,
    actor: run.actor,
    result: run.result,
    jobs: run.jobs
      .map((j) => ({
        jobId: j.jobId,
        name: j.name,
        matrix: j.matrix,
        runsOn: j.runsOn,
        needs: j.needs,
        result: j.result,
        outputs: j.outputs,
        steps: j.steps.map((s) => [s.name, s.result]),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

function seenIn(root: string): Map<string, Seen> {
  const out = new Map<string, Seen>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === "seen.json") {
        const name = p.split("/").find((s) => s.startsWith("seen-")) ?? p;
        out.set(name, JSON.parse(readFileSync(p, "utf8")) as Seen);
      }
    }
  };
  if (existsSync(root)) walk(root);
  return out;
}

function runOf(db: string, id: number): RunView {
  const history = openRunHistory(db);
  try {
    const run = history.getRun(id);
    assert.ok(run, `run ${id} in ${db}`);
    return run;
  } finally {
    history.close();
  }
}

interface Summary {
  runs: { runId: number; jobs: { logFile: string }[]; artifacts: { dir: string }[] }[];
}

async function byRun(repo: string): Promise<{ run: RunView; seen: Map<string, Seen>; server: string }> {
  writeFileSync(join(dir, "run.toml"), POOL(join(dir, "run-state")));
  const r = await runCli(["run", repo, "--config", join(dir, "run.toml"), "--json", "--no-logs"], {
    timeoutMs: 120_000,
  });
  assert.equal(r.code, 0, r.stderr);
  const entry = (JSON.parse(r.stdout) as Summary).runs[0];
  assert.ok(entry?.artifacts[0] && entry.jobs[0]);
  // The scratch dir keeps the coordinator database beside logs/ and artifacts/.
  const scratch = dirname(dirname(entry.jobs[0].logFile));
  const server = /coordinator (http:\/\/127\.0\.0\.1:\d+)/.exec(r.stderr)?.[1];
  assert.ok(server, r.stderr);
  return {
    run: runOf(join(scratch, "coordinator.db"), entry.runId),
    seen: seenIn(dirname(dirname(entry.artifacts[0].dir))),
    server,
  };
}

async function byPush(repo: string): Promise<{ run: RunView; seen: Map<string, Seen>; server: string }> {
  const state = join(dir, "up-state");
  writeFileSync(join(dir, "up.toml"), POOL(state));
  let out = "";
  const up: ChildProcess = spawn(
    process.execPath,
    [BIN, "up", "--config", join(dir, "up.toml"), "--listen", "127.0.0.1:0", "--json"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  up.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  up.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const events = () =>
    out
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { event: string });
  let server = "";
  try {
    await until(() => events().some((e) => e.event === "ready"), "up is ready", 30_000);
    server = (JSON.parse(readFileSync(join(state, "admin.json"), "utf8")) as { url: string }).url;
    const token = readFileSync(join(state, "push-token"), "utf8").trim();
    // `run` serves a directory as local/<dir name>: push to the same name so github.repository agrees.
    await git(repo, "push", "-q", `${server.replace("://", `://me:${token}@`)}/local/app.git`, "main");
    await until(() => events().filter((e) => e.event === "finished").length === 3, "up ran all 3 jobs", 120_000);
  } finally {
    up.kill("SIGTERM");
    await new Promise((res) => up.once("exit", res));
  }
  return { run: runOf(join(state, "coordinator.db"), 1), seen: seenIn(join(state, "artifacts")), server };
}

test("a workflow started by git push to up and by run gives the same jobs, matrix, github context and event", async () => {
  const repo = join(dir, "app");
  mkdirSync(join(repo, ".gitea/workflows"), { recursive: true });
  writeFileSync(join(repo, ".gitea/workflows/one.yml"), WORKFLOW);
  await git(dir, "init", "-q", "-b", "main", repo);
  await git(repo, "add", "-A");
  await git(repo, "commit", "-q", "-m", "one road");

  const viaRun = await byRun(repo);
  const viaPush = await byPush(repo);

  assert.equal(viaRun.run.result, "success");
  assert.deepEqual(comparableRun(viaPush.run), comparableRun(viaRun.run));
  assert.deepEqual(
    viaRun.run.jobs.filter((j) => j.jobId === "build").map((j) => j.matrix),
    [{ flavour: "main" }, { flavour: "one.yml" }],
    "the matrix saw github.ref_name and github.workflow when it was planned",
  );
  assert.equal(viaRun.seen.size, 2, "both matrix legs uploaded what they saw");
  assert.deepEqual([...viaPush.seen.keys()].sort(), [...viaRun.seen.keys()].sort());
  for (const [name, seen] of viaRun.seen) {
    assert.ok(String(seen.github.server_url).startsWith(viaRun.server), "run plans and runs with server_url");
    assert.deepEqual(
      comparableSeen(viaPush.seen.get(name)!, viaPush.server),
      comparableSeen(seen, viaRun.server),
      name,
    );
  }
});
