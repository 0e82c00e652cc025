import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ArtifactStore, openRunHistory } from "../../coordinator/index.js";
import { PoolError } from "../../lib/index.js";
import {
  appendHistory,
  type ComparableRun,
  compareRuns,
  comparisonEntry,
  DEFAULT_REQUIRED_STREAK,
  formatComparison,
  HISTORY_FILE,
  pairRuns,
  promoteWorkflow,
  promotionStreak,
  readHistory,
  readRunSummary,
} from "../../migrate/index.js";
import { type MigrateIo, parseCommandArgs } from "../args.js";

export const COMPARE_USAGE =
  "runnerpool migrate compare A [B] [--db coordinator.db] [--json] [--history DIR] [--no-history] [--required N]";
export const PROMOTE_USAGE =
  "runnerpool migrate promote WORKFLOW [--history DIR] [--required N] [--archive DIR] [--dry-run] [--json]";

function historyFile(io: MigrateIo, dir: string | undefined): string {
  return join(resolve(io.cwd, dir ?? ".runnerpool"), HISTORY_FILE);
}

function requiredOf(text: string | undefined): number {
  const n = Number(text ?? DEFAULT_REQUIRED_STREAK);
  if (!Number.isInteger(n) || n < 1)
    throw new PoolError("INVALID_ARGUMENT", `--required "${text}" is not a whole number >= 1`);
  return n;
}

/** A finished run of a coordinator database (`up`'s state dir), with its artifacts beside the database. */
function runFromDatabase(db: string, id: number): ComparableRun {
  if (!existsSync(db)) throw new PoolError("INVALID_ARGUMENT", `coordinator database "${db}" does not exist`);
  const history = openRunHistory(db);
  try {
    const run = history.getRun(id);
    if (!run)
      throw new PoolError("NOT_FOUND", `run ${id} is not in "${db}": see the run ids in \`runnerpool up\`'s log`);
    if (run.result === undefined)
      throw new PoolError("INVALID_ARGUMENT", `run ${id} has not finished: compare it when it has`);
    const store = new ArtifactStore({ dir: join(dirname(db), "artifacts") });
    return {
      source: `run ${id} of ${db}`,
      workflow: run.workflowFile,
      jobs: run.jobs.map((j) => ({
        name: j.name,
        matrix: j.matrix,
        result: j.result ?? j.status,
        queuedAt: j.queuedAt,
        startedAt: j.startedAt ?? null,
        stoppedAt: j.stoppedAt ?? null,
      })),
      artifacts: store.listArtifacts(id).map((a) => ({ name: a.name, files: a.files })),
    };
  } finally {
    history.close();
  }
}

function loadRuns(arg: string, db: string | undefined, io: MigrateIo): ComparableRun[] {
  if (db !== undefined && /^\d+$/.test(arg)) return [runFromDatabase(resolve(io.cwd, db), Number(arg))];
  const file = resolve(io.cwd, arg);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new PoolError(
      "INVALID_ARGUMENT",
      `cannot read "${arg}": pass a \`runnerpool run --json\` summary file${db ? "" : ", or a run id with --db"}`,
      { cause: err },
    );
  }
  return readRunSummary(text, arg);
}

/** `migrate compare`: exit 0 when every pair of runs has equal results and artifacts. */
export async function compareCommand(argv: string[], io: MigrateIo, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      db: { type: "string" },
      json: { type: "boolean", default: false },
      history: { type: "string" },
      "no-history": { type: "boolean", default: false },
      required: { type: "string" },
    },
    COMPARE_USAGE,
  );
  if (positionals.length < 1 || positionals.length > 2) {
    throw new PoolError(
      "INVALID_ARGUMENT",
      `compare takes A and B (or one summary with v1 and v2 runs)\nusage: ${COMPARE_USAGE}`,
    );
  }
  const required = requiredOf(values.required);
  const [first, second] = positionals as [string, string | undefined];
  const a = loadRuns(first, values.db, io);
  const b = second === undefined ? undefined : loadRuns(second, values.db, io);
  const { pairs, unpaired } = pairRuns(a, b);
  const comparisons = pairs.map(([x, y]) => compareRuns(x, y));
  for (const u of unpaired) io.stderr(`not compared: ${u}\n`);
  if (comparisons.length === 0) {
    throw new PoolError(
      "INVALID_ARGUMENT",
      "no pair of runs to compare: give two summaries, or one with a v1 and a v2 run",
    );
  }
  const streaks: Record<string, number> = {};
  if (values["no-history"] !== true) {
    const file = historyFile(io, values.history);
    const now = new Date();
    await appendHistory(
      file,
      comparisons.map((c) => comparisonEntry(c, now)),
      signal,
    );
    const history = await readHistory(file, signal);
    for (const c of comparisons) {
      streaks[c.workflow] = promotionStreak(history, c.workflow).streak;
      if (!values.json) {
        io.stderr(
          `${c.workflow}: ${streaks[c.workflow]} of ${required} consecutive equal comparisons (history ${file})\n`,
        );
      }
    }
  }
  const equal = unpaired.length === 0 && comparisons.every((c) => c.equal);
  if (values.json) io.stdout(`${JSON.stringify({ equal, comparisons, unpaired, streaks }, null, 2)}\n`);
  else io.stdout(comparisons.map(formatComparison).join("\n"));
  return equal ? 0 : 1;
}

/** `migrate promote`: exit 0 when v2 replaced v1 (or would, with --dry-run), 1 with the reason otherwise. */
export async function promoteCommand(argv: string[], io: MigrateIo, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      history: { type: "string" },
      required: { type: "string" },
      archive: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
    PROMOTE_USAGE,
  );
  if (positionals.length !== 1)
    throw new PoolError("INVALID_ARGUMENT", `promote takes one WORKFLOW file\nusage: ${PROMOTE_USAGE}`);
  const workflowFile = resolve(io.cwd, positionals[0] as string);
  if (!/\.ya?ml$/.test(workflowFile)) {
    throw new PoolError(
      "INVALID_ARGUMENT",
      `"${positionals[0]}" is not a workflow file: give the path of the v1 or v2 .yml`,
    );
  }
  const file = historyFile(io, values.history);
  const dryRun = values["dry-run"] === true;
  const result = await promoteWorkflow(
    {
      workflowFile,
      history: await readHistory(file, signal),
      required: requiredOf(values.required),
      ...(values.archive === undefined ? {} : { archiveDir: resolve(io.cwd, values.archive) }),
      dryRun,
    },
    signal,
  );
  if (result.promoted && !dryRun && result.entry) await appendHistory(file, [result.entry], signal);
  if (values.json) io.stdout(`${JSON.stringify({ ...result, entry: undefined }, null, 2)}\n`);
  else if (result.promoted) {
    const verb = dryRun ? "would promote" : "promoted";
    const archived = result.archived ? `; v1 ${dryRun ? "would be archived" : "archived"} as ${result.archived}` : "";
    io.stdout(`${verb} ${result.v2} -> ${result.v1} after ${result.streak} consecutive equal comparisons${archived}\n`);
  } else io.stderr(`not promoted: ${result.workflow}: ${result.reason}\n`);
  return result.promoted ? 0 : 1;
}
