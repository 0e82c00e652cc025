/**
 * Pickup latency: from "job queued" (createRun) to "first step running" (the step's own clock), for
 * the coordinator's held-open FetchTask versus a 2 s polling loop (act_runner's default), in one run.
 *
 *   node --import tsx bench/pickup/pickup.ts [--jobs 200] [--streams 4]
 *
 * Each stream is one runner (capacity 1) with its own label and a loop that queues one job, waits for
 * it, pauses a random 0-2 s (so submissions fall at random points of the poll cycle) and repeats.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { jobExecutor } from "../../src/cli/assembly/job-executor.js";
import { createCoordinator, startCoordinatorServer } from "../../src/coordinator/index.js";
import { createHostBackend } from "../../src/executor/index.js";
import { createForgeClient } from "../../src/protocol/index.js";
import { register, startRunner } from "../../src/runner/index.js";
import { parseWorkflow, planJobs } from "../../src/workflow/index.js";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "200" },
    streams: { type: "string", default: "4" },
    modes: { type: "string", default: "held-open,polling" },
  },
});
const JOBS = Number(values.jobs);
const STREAMS = Number(values.streams);

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

const scratch = mkdtempSync(join(tmpdir(), "rp-bench-pickup-"));
const coordinator = createCoordinator({ dbPath: join(scratch, "c.db") });
const server = await startCoordinatorServer(coordinator, { host: "127.0.0.1", port: 0 });
const controller = new AbortController();

async function measure(mode: "held-open" | "polling"): Promise<number[]> {
  const runners = [];
  for (let s = 0; s < STREAMS; s++) {
    const label = `${mode}-${s}`;
    const registration = await register({
      client: createForgeClient({ url: server.url }),
      url: server.url,
      token: coordinator.runners.registrationToken(),
      name: label,
      labels: [`${label}:host`],
      file: join(scratch, `${label}.runner`),
      signal: controller.signal,
    });
    runners.push(
      await startRunner({
        registration,
        capacity: 1,
        execute: jobExecutor(createHostBackend({ workdirParent: join(scratch, "work", label) })),
        settings: {
          version: "bench",
          fetchWaitMs: mode === "held-open" ? 25_000 : 0,
          fetchIntervalMs: 2_000,
          fetchIntervalMaxMs: 2_000,
        },
        signal: controller.signal,
      }),
    );
  }
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    runners.map(async (_r, s) => {
      const label = `${mode}-${s}`;
      const source = `on: push\njobs:\n  pick:\n    runs-on: ${label}\n    outputs:\n      t: \${{ steps.t.outputs.t }}\n    steps:\n      - id: t\n        run: echo "t=$(date +%s%3N)" >> "$GITHUB_OUTPUT"\n`;
      const workflow = parseWorkflow(source, "pickup.yml").workflow;
      if (!workflow) throw new Error("bench workflow does not parse");
      const jobs = planJobs(workflow, { github: {}, vars: {}, inputs: {} }).jobs;
      while (next < JOBS) {
        next++;
        await new Promise((r) => setTimeout(r, Math.random() * 2_000));
        const queuedAt = Date.now();
        const { runId } = coordinator.runs.create({
          repo: "bench/pickup",
          workflowFile: "pickup.yml",
          workflowName: "pickup",
          event: { name: "push", ref: "refs/heads/main", sha: "0".repeat(40) },
          jobs,
        });
        const run = await coordinator.runs.waitForRun(runId, controller.signal);
        const t = Number(run.jobs[0]?.outputs.t);
        if (run.jobs[0]?.status !== "success" || !Number.isFinite(t))
          throw new Error(`job failed: ${JSON.stringify(run.jobs[0])}`);
        // "Queued" is when the job row became waiting (committed), as the coordinator records it.
        latencies.push(t - Date.parse(run.jobs[0]?.queuedAt ?? new Date(queuedAt).toISOString()));
      }
    }),
  );
  await Promise.all(runners.map((r) => r.stop()));
  return latencies.sort((a, b) => a - b);
}

const results: Record<string, { p50: number; p99: number; mean: number; n: number }> = {};
for (const mode of (values.modes ?? "").split(",") as ("held-open" | "polling")[]) {
  const t0 = Date.now();
  const l = await measure(mode);
  results[mode] = {
    n: l.length,
    p50: percentile(l, 50),
    p99: percentile(l, 99),
    mean: Math.round(l.reduce((a, b) => a + b, 0) / l.length),
  };
  console.log(
    `${mode.padEnd(10)} jobs=${l.length} p50=${results[mode].p50} ms p99=${results[mode].p99} ms mean=${results[mode].mean} ms (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
  );
}
const held = results["held-open"];
const poll = results.polling;
if (held && poll) {
  console.log(
    `ratio polling/held-open: p50 ${(poll.p50 / Math.max(1, held.p50)).toFixed(1)}x, p99 ${(poll.p99 / Math.max(1, held.p99)).toFixed(1)}x`,
  );
  console.log(`target p50 <= 50 ms: ${held.p50 <= 50 ? "met" : "NOT met"}`);
}
controller.abort();
await server.close();
coordinator.close();
rmSync(scratch, { recursive: true, force: true });
