/**
 * The release wave of infra-RFC-002: 8 release jobs of 2 s each, on a linux role with 8 slots versus
 * one slot (the laptop runner's serial queue), in one run. Prints the makespan (first job queued to
 * last job done) over the longest job (target <= 1.05) and the serial baseline.
 *
 *   node --import tsx bench/wave/wave.ts [--jobs 8] [--seconds 2] [--backend host|sandbox]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { queuedFor } from "../../src/cli/assembly/coordinator.js";
import { assemblePool } from "../../src/cli/assembly/pool.js";
import { createCoordinator, type RunView, startCoordinatorServer } from "../../src/coordinator/index.js";
import { silentLogger } from "../../src/lib/index.js";
import { parseWorkflow, planJobs } from "../../src/workflow/index.js";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "8" },
    seconds: { type: "string", default: "2" },
    backend: { type: "string", default: "host" },
  },
});
const JOBS = Number(values.jobs);
const SECONDS = Number(values.seconds);
const backend = values.backend === "sandbox" ? "sandbox" : "host";

interface Wave {
  slots: number;
  makespanMs: number;
  longestJobMs: number;
  overlapping: boolean;
}

async function wave(slots: number): Promise<Wave> {
  const scratch = mkdtempSync(join(tmpdir(), "rp-bench-wave-"));
  const coordinator = createCoordinator({ dbPath: join(scratch, "c.db") });
  const server = await startCoordinatorServer(coordinator, { host: "127.0.0.1", port: 0 });
  const lifetime = new AbortController();
  const supervisor = assemblePool({
    forgeUrl: server.url,
    registrationToken: () => coordinator.runners.registrationToken(),
    roles: [
      {
        name: "linux",
        labels: ["self-hosted", "linux"],
        backend,
        capacity: slots,
        env: {},
        instances: { min: 1, max: 1 },
      },
    ],
    stateDir: join(scratch, "runners"),
    workdirParent: join(scratch, "work"),
    settings: { version: "bench", fetchWaitMs: 25_000 },
    queued: queuedFor(coordinator),
    logger: silentLogger,
    signal: lifetime.signal,
  });
  await supervisor.start();
  const matrix = Array.from({ length: JOBS }, (_, i) => i + 1).join(", ");
  const source = `on: push\njobs:\n  release:\n    runs-on: [self-hosted, linux]\n    strategy:\n      matrix:\n        n: [${matrix}]\n    steps:\n      - run: sleep ${SECONDS}\n`;
  const parsed = parseWorkflow(source, "wave.yml");
  if (!parsed.workflow) throw new Error("wave workflow does not parse");
  const plan = planJobs(parsed.workflow, { github: {}, vars: {}, inputs: {} });
  const { runId } = coordinator.runs.create({
    repo: "bench/wave",
    workflowFile: "wave.yml",
    workflowName: "wave",
    event: { name: "push", ref: "refs/tags/v1", sha: "a".repeat(40) },
    jobs: plan.jobs,
  });
  const run: RunView = await coordinator.runs.waitForRun(runId);
  await supervisor.stop();
  lifetime.abort();
  await server.close();
  coordinator.close();
  rmSync(scratch, { recursive: true, force: true });
  if (run.result !== "success") throw new Error(`the wave on ${slots} slot(s) ended ${run.result}`);
  const t = (s: string | undefined) => Date.parse(s ?? "");
  const queued = Math.min(...run.jobs.map((j) => t(j.queuedAt)));
  const starts = run.jobs.map((j) => t(j.startedAt));
  const stops = run.jobs.map((j) => t(j.stoppedAt));
  return {
    slots,
    makespanMs: Math.max(...stops) - queued,
    longestJobMs: Math.max(...run.jobs.map((j) => t(j.stoppedAt) - t(j.startedAt))),
    overlapping: Math.max(...starts) < Math.min(...stops),
  };
}

const parallel = await wave(JOBS);
const serial = await wave(1);
const row = (w: Wave) =>
  `| ${w.slots} | ${(w.makespanMs / 1000).toFixed(2)} s | ${(w.longestJobMs / 1000).toFixed(2)} s | ${(w.makespanMs / w.longestJobMs).toFixed(3)} | ${w.overlapping ? "yes" : "no"} |`;
process.stdout.write(
  [
    `wave: ${JOBS} jobs of ${SECONDS} s, ${backend} backend`,
    "",
    "| slots | makespan | longest job | makespan / longest job | intervals overlap |",
    "|---|---|---|---|---|",
    row(parallel),
    row(serial),
    "",
    `speed-up of ${JOBS} slots over 1: ${(serial.makespanMs / parallel.makespanMs).toFixed(2)}x; target makespan / longest job <= 1.05: ${parallel.makespanMs / parallel.longestJobMs <= 1.05 ? "met" : "NOT met"}`,
    "",
  ].join("\n"),
);
