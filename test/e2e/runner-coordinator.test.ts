import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import Database from "better-sqlite3";
import { createForgeClient } from "../../src/protocol/index.js";
import { Harness } from "../support/e2e-harness.js";

// The runner and the coordinator meet only through the runner protocol; these tests run both for real
// over HTTP on 127.0.0.1, with the host backend executing real shells.

async function waitUntil(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

describe("runner and coordinator over HTTP", () => {
  const h = new Harness();
  before(async () => {
    await h.start();
    await h.addRunner("linux-a", ["self-hosted", "linux"], 2);
    await h.addRunner("gpu-a", ["self-hosted", "linux", "gpu"]);
    await h.addRunner("Linux-cased", ["Linux"]);
  });
  after(() => h.close());

  test("registration writes a 0600 .runner file with act_runner's keys and the store keeps only a hash", () => {
    const file = h.runnerFile("linux-a");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const reg = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    for (const key of ["WARNING", "id", "uuid", "name", "token", "address", "labels", "ephemeral"]) {
      assert.ok(key in reg, `.runner has ${key}`);
    }
    const db = new Database(`${h.dir}/c.db`, { readonly: true });
    const dump = JSON.stringify(db.prepare("select * from runners").all());
    db.close();
    assert.ok(!dump.includes(String(reg.token)), "the runner token is not stored in clear");
  });

  const table: { name: string; runsOn: string; runner: string }[] = [
    { name: "subset of one runner's labels", runsOn: "[self-hosted, gpu]", runner: "gpu-a" },
    { name: "label matching is case-sensitive", runsOn: "Linux", runner: "Linux-cased" },
    { name: "every entry must match", runsOn: "[self-hosted, linux, gpu]", runner: "gpu-a" },
  ];
  for (const row of table) {
    test(`label matching: ${row.name}`, async () => {
      const runId = h.submit(`on: push\njobs:\n  j:\n    runs-on: ${row.runsOn}\n    steps:\n      - run: echo hi\n`);
      const run = await h.coordinator.runs.waitForRun(runId);
      assert.equal(run.jobs[0]?.status, "success");
      assert.equal(run.jobs[0]?.runnerName, row.runner);
    });
  }

  test("job outputs and needs travel from one job to the next", async () => {
    const runId = h.submit(
      [
        "on: push",
        "jobs:",
        "  a:",
        "    runs-on: linux",
        "    outputs:",
        "      v: ${{ steps.s.outputs.v }}",
        "    steps:",
        "      - id: s",
        '        run: echo "v=forty-two" >> "$GITHUB_OUTPUT"',
        "  b:",
        "    needs: a",
        "    runs-on: linux",
        "    outputs:",
        "      got: ${{ steps.s.outputs.got }}",
        "    steps:",
        "      - id: s",
        '        run: echo "got=${{ needs.a.outputs.v }}-${{ needs.a.result }}" >> "$GITHUB_OUTPUT"',
        "",
      ].join("\n"),
    );
    const run = await h.coordinator.runs.waitForRun(runId);
    const b = run.jobs.find((j) => j.jobId === "b");
    assert.equal(b?.outputs.got, "forty-two-success");
  });

  test("the coordinator rewinds a runner that leaves a gap in the log", async () => {
    // A second, raw client acts as the runner of a task so the gap is deliberate.
    const runner = JSON.parse(readFileSync(h.runnerFile("Linux-cased"), "utf8")) as { uuid: string; token: string };
    await h.runners[2]?.drain();
    const client = createForgeClient({ url: h.server.url, uuid: runner.uuid, token: runner.token });
    const runId = h.submit("on: push\njobs:\n  j:\n    runs-on: Linux\n    steps:\n      - run: echo hi\n");
    const { task } = await client.fetchTask(0n, AbortSignal.timeout(5_000));
    assert.ok(task, "the raw client got the task");
    const row = (content: string) => ({ time: new Date(), content });
    const signal = AbortSignal.timeout(5_000);
    assert.equal(
      await client.updateLog({ taskId: task.id, index: 0n, rows: [row("a"), row("b")], noMore: false }, signal),
      2n,
    );
    assert.equal(await client.updateLog({ taskId: task.id, index: 5n, rows: [row("gap")], noMore: false }, signal), 2n);
    assert.equal(
      await client.updateLog({ taskId: task.id, index: 1n, rows: [row("b"), row("c")], noMore: true }, signal),
      3n,
    );
    const result = await client.updateTask(
      { id: task.id, result: 1, stoppedAt: { seconds: BigInt(Math.floor(Date.now() / 1000)) } },
      {},
      signal,
    );
    assert.equal(result.result, 1);
    const run = await h.coordinator.runs.waitForRun(runId);
    assert.deepEqual(h.coordinator.read.jobLog(run.jobs[0]?.id ?? 0).slice(0, 3), ["a", "b", "c"]);
  });

  test("cancelling a running job stops its processes within 2 s", async () => {
    const pidFile = `${h.dir}/pids`;
    const runId = h.submit(
      `on: push\njobs:\n  slow:\n    runs-on: [self-hosted, gpu]\n    steps:\n      - run: |\n          sleep 300 &\n          echo $! > ${pidFile}\n          echo $$ >> ${pidFile}\n          wait\n`,
    );
    await waitUntil(
      () => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim().split("\n").length === 2,
      10_000,
      "the job's processes",
    );
    const pids = readFileSync(pidFile, "utf8").trim().split("\n").map(Number);
    assert.ok(pids.every(alive), "processes run before the cancel");
    const t0 = Date.now();
    h.coordinator.runs.cancelRun(runId);
    await waitUntil(() => !pids.some(alive), 2_000, "the processes to exit");
    const elapsed = Date.now() - t0;
    const run = await h.coordinator.runs.waitForRun(runId);
    assert.equal(run.jobs[0]?.status, "cancelled");
    assert.ok(elapsed < 2_000, `gone after ${elapsed} ms`);
  });
});
