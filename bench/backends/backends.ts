/**
 * Per-job overhead of each backend for a `run: true` job: prepare (workspace, sandbox or container),
 * one step, dispose. The design document's "nested container overhead" question, in one run.
 *
 *   node --import tsx bench/backends/backends.ts [--jobs 20] [--backends host,sandbox,docker,podman]
 *
 * docker and podman use the busybox image of runner-images/build-base.sh (built here if missing).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  type Backend,
  containerEngineProblem,
  createContainerBackend,
  createHostBackend,
  createSandboxBackend,
  isSandboxAvailable,
  runJob,
} from "../../src/executor/index.js";
import { RecordingSink } from "../../test/support/recording-sink.js";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "20" },
    backends: { type: "string", default: "host,sandbox,docker,podman" },
  },
});
const JOBS = Number(values.jobs);
const IMAGE = "runnerpool-test:busybox";
const BUILD = fileURLToPath(new URL("../../runner-images/build-base.sh", import.meta.url));
const PAYLOAD = "on: push\njobs:\n  job:\n    runs-on: linux\n    steps:\n      - run: 'true'\n";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

async function available(name: string): Promise<string | undefined> {
  if (name === "host") return undefined;
  if (name === "sandbox") return (await isSandboxAvailable()) ? undefined : "bubblewrap cannot create a sandbox here";
  if (name !== "docker" && name !== "podman") return `unknown backend "${name}"`;
  if (await containerEngineProblem(name, IMAGE)) {
    spawnSync("bash", [BUILD, "--engine", name, "--tag", IMAGE], { stdio: "ignore" });
  }
  const problem = await containerEngineProblem(name, IMAGE);
  return problem;
}

function create(name: string, parent: string): Backend {
  if (name === "host") return createHostBackend({ workdirParent: parent });
  if (name === "sandbox") return createSandboxBackend({ workdirParent: parent });
  return createContainerBackend({ engine: name as "docker" | "podman", image: IMAGE, workdirParent: parent });
}

const rows: string[] = [];
for (const name of (values.backends ?? "").split(",").filter((b) => b !== "")) {
  const problem = await available(name);
  if (problem !== undefined) {
    rows.push(`| ${name} | skipped: ${problem} | | | |`);
    continue;
  }
  const parent = mkdtempSync(join(tmpdir(), `rp-bench-${name}-`));
  const backend = create(name, parent);
  const times: number[] = [];
  for (let i = 0; i <= JOBS; i++) {
    const t0 = performance.now();
    const outcome = await runJob({
      request: { payload: PAYLOAD, context: { ref: "refs/heads/main" }, secrets: {}, vars: {}, needs: {} },
      backend,
      sink: new RecordingSink(),
      signal: new AbortController().signal,
      jobKey: `bench-${i}`,
    });
    if (outcome.result !== "success") throw new Error(`${name}: job ${i} ended ${outcome.result}`);
    // The first job warms caches (page cache, image layers); it is not counted.
    if (i > 0) times.push(performance.now() - t0);
  }
  rmSync(parent, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  rows.push(
    `| ${name} | ${percentile(times, 50).toFixed(0)} ms | ${percentile(times, 90).toFixed(0)} ms | ${(times[0] ?? 0).toFixed(0)} ms | ${times.length} |`,
  );
}
const host = Number(/\| host \| (\d+) ms/.exec(rows.join("\n"))?.[1]);
process.stdout.write(
  [
    `per-job overhead of a \`run: true\` job (prepare + step + dispose), ${JOBS} jobs per backend after one warm-up`,
    "",
    "| backend | median | p90 | min | jobs |",
    "|---|---|---|---|---|",
    ...rows,
    "",
    ...(Number.isFinite(host)
      ? rows
          .map((r) => /\| (\w+) \| (\d+) ms/.exec(r))
          .filter((m): m is RegExpExecArray => m !== null && m[1] !== "host")
          .map((m) => `${m[1]}: +${Number(m[2]) - host} ms per job over host`)
      : []),
    "",
  ].join("\n"),
);
