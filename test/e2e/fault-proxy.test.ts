import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, test } from "node:test";
import { jobExecutor } from "../../src/cli/assembly/job-executor.js";
import {
  type Coordinator,
  type CoordinatorServer,
  createCoordinator,
  startCoordinatorServer,
} from "../../src/coordinator/index.js";
import { createHostBackend } from "../../src/executor/index.js";
import { createForgeClient } from "../../src/protocol/index.js";
import { type RunnerHandle, register, startRunner } from "../../src/runner/index.js";
import { type Fault, FaultProxy, seeded } from "../support/fault-proxy.js";

// Issue H: a runner and its forge with a faulty network between them (drops, resets after the forge
// answered, answers cut half way, delays) still deliver every log row once, every output and result.

const dir = mkdtempSync(join(tmpdir(), "rp-proxy-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Rig {
  coordinator: Coordinator;
  server: CoordinatorServer;
  proxy: FaultProxy;
  runner: RunnerHandle;
}
let rig: Rig | undefined;
afterEach(async () => {
  if (!rig) return;
  await rig.runner.stop();
  await rig.proxy.close();
  await rig.server.close();
  rig.coordinator.close();
  rig = undefined;
});

async function startRig(name: string, proxy: Omit<ConstructorParameters<typeof FaultProxy>[0], "target">) {
  const coordinator = createCoordinator({
    dbPath: join(dir, `${name}.db`),
    defaultLossPolicy: { leaseMs: 60_000, retries: 0 },
  });
  const server = await startCoordinatorServer(coordinator, { host: "127.0.0.1", port: 0 });
  const faulty = await new FaultProxy({ ...proxy, target: server.url }).start();
  const registration = await register({
    client: createForgeClient({ url: server.url }),
    url: faulty.url,
    token: coordinator.runners.registrationToken(),
    name,
    labels: [`${name}:host`],
    file: join(dir, `${name}.runner`),
    signal: AbortSignal.timeout(10_000),
  });
  const runner = await startRunner({
    registration,
    capacity: 3,
    forge: createForgeClient({ url: faulty.url, uuid: registration.uuid, token: registration.token, timeoutMs: 5_000 }),
    execute: jobExecutor(createHostBackend({ workdirParent: join(dir, "work", name) })),
    settings: { version: "e2e", fetchWaitMs: 2_000 },
    signal: AbortSignal.timeout(240_000),
  });
  rig = { coordinator, server, proxy: faulty, runner };
  return rig;
}

const submit = (coordinator: Coordinator, source: string) => {
  const [outcome] = coordinator.runs.trigger({
    repo: "e2e/proxy",
    workflows: [{ file: "p.yml", source }],
    event: { name: "push", ref: "refs/heads/main", sha: "c".repeat(40) },
  });
  assert.ok(outcome?.runId !== undefined, outcome?.error);
  return outcome.runId;
};

for (const loss of [0.1, 0.3]) {
  test(`${loss * 100} % loss and up to 500 ms delay: every log row once, outputs and results exact`, async (t) => {
    const rng = seeded(Number(process.env.FAULT_SEED ?? 11));
    t.diagnostic(`fault seed ${process.env.FAULT_SEED ?? 11}`);
    const kinds: Fault["kind"][] = ["drop", "reset", "cut"];
    const { coordinator, proxy } = await startRig(`lossy${loss * 100}`, {
      decide: () => ({
        kind: rng() < loss ? (kinds[Math.floor(rng() * 3)] ?? "drop") : "pass",
        delayMs: Math.floor(rng() * 500),
      }),
    });
    const ROWS = 1500; // 10 bursts of 150 rows, half a second apart
    const runId = submit(
      coordinator,
      `on: push
jobs:
  gen:
    strategy:
      matrix:
        n: [1, 2, 3]
    runs-on: lossy${loss * 100}
    outputs:
      v: \${{ steps.o.outputs.v }}
    steps:
      - run: |
          for b in $(seq 0 9); do
            for i in $(seq 1 150); do echo "row \${{ matrix.n }}-$((b * 150 + i))"; done
            sleep 0.5
          done
      - id: o
        run: echo "v=value-\${{ matrix.n }}" >> "$GITHUB_OUTPUT"
`,
    );
    const run = await coordinator.runs.waitForRun(runId, AbortSignal.timeout(180_000));
    t.diagnostic(`faults: ${JSON.stringify(proxy.counts)}`);
    assert.ok(proxy.counts.drop + proxy.counts.reset + proxy.counts.cut >= 3, "faults were injected");
    assert.equal(run.status, "success");
    for (const job of run.jobs) {
      assert.equal(job.attempt, 1);
      const n = (job.matrix as { n: number }).n;
      const rows = coordinator.read.jobLog(job.id).filter((l) => l.startsWith(`row ${n}-`));
      assert.equal(rows.length, ROWS, `job ${n}: every row once`);
      assert.deepEqual(
        rows,
        Array.from({ length: ROWS }, (_, i) => `row ${n}-${i + 1}`),
        `job ${n}: in order`,
      );
      assert.equal(job.outputs.v, `value-${n}`);
      assert.ok(job.steps.every((s) => s.status === "success"));
    }
  });
}

test("a FetchTask answer lost after the pick: the retry with the same request key gets the same task", async () => {
  let lost = 0;
  const { coordinator, proxy } = await startRig("pickup", {
    // A FetchTask answer that carries a task is far longer than an empty one.
    loseAnswer: (path, body) => path.endsWith("/FetchTask") && body.length > 200 && lost++ === 0,
  });
  const started = Date.now();
  const runId = submit(
    coordinator,
    "on: push\njobs:\n  j:\n    runs-on: pickup\n    steps:\n      - run: echo picked\n",
  );
  const run = await coordinator.runs.waitForRun(runId, AbortSignal.timeout(30_000));
  assert.equal(proxy.counts.reset, 1, "one answer was lost");
  assert.equal(run.status, "success");
  assert.equal(run.jobs[0]?.attempt, 1);
  assert.ok(Date.now() - started < 20_000, "well within the 60 s lease");
  assert.match(coordinator.read.jobLog(run.jobs[0]!.id).join("\n"), /picked/);
});
