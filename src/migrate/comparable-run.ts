import { posix } from "node:path";
import { z } from "zod";
import { PoolError } from "../lib/index.js";

/** A file of an artifact as `run --json` lists it. */
export interface ArtifactFileDigest {
  path: string;
  size: number;
  sha256: string;
}

export interface ComparableJob {
  name: string;
  matrix: Record<string, unknown>;
  result: string;
  queuedAt: string | null;
  startedAt: string | null;
  stoppedAt: string | null;
}

/** One workflow run, from a `runnerpool run --json` summary or the coordinator's database. */
export interface ComparableRun {
  /** Where it came from, for messages (`a.json`, `run 12 of coordinator.db`). */
  source: string;
  /** The workflow file, relative to its repository. */
  workflow: string;
  error?: string;
  jobs: ComparableJob[];
  /** Undefined when the source does not record artifacts (a summary from before they existed). */
  artifacts?: { name: string; files: ArtifactFileDigest[] }[];
}

const fileSchema = z.object({ path: z.string(), size: z.number(), sha256: z.string() });
const summarySchema = z.object({
  ok: z.boolean(),
  runs: z.array(
    z.object({
      workflow: z.string(),
      error: z.string().optional(),
      jobs: z.array(
        z.object({
          name: z.string(),
          matrix: z.record(z.string(), z.unknown()).default({}),
          result: z.string(),
          queuedAt: z.string().nullable().default(null),
          startedAt: z.string().nullable().default(null),
          stoppedAt: z.string().nullable().default(null),
        }),
      ),
      artifacts: z.array(z.object({ name: z.string(), files: z.array(fileSchema) })).optional(),
    }),
  ),
});

/** Reads the runs of a `runnerpool run --json` summary; INVALID_ARGUMENT when it is not one. */
export function readRunSummary(text: string, source: string): ComparableRun[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new PoolError("INVALID_ARGUMENT", `"${source}" is not JSON: pass the output of \`runnerpool run --json\``, {
      cause: err,
    });
  }
  const parsed = summarySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PoolError(
      "INVALID_ARGUMENT",
      `"${source}" is not a run summary (${issue?.path.join(".") || "top level"}: ${issue?.message}): pass the output of \`runnerpool run --json\``,
    );
  }
  return parsed.data.runs.map((r) => ({
    source,
    workflow: r.workflow,
    ...(r.error === undefined ? {} : { error: r.error }),
    jobs: r.jobs,
    ...(r.artifacts === undefined
      ? {}
      : { artifacts: r.artifacts.map((a) => ({ name: a.name, files: a.files.map((f) => ({ ...f })) })) }),
  }));
}

/** `.gitea/workflows/probe-release-v2.yml` -> `probe-release`: what a v1 and its v2 share. */
export function workflowKey(file: string): string {
  return posix
    .basename(file.replaceAll("\\", "/"))
    .replace(/\.ya?ml$/, "")
    .replace(/-v2$/, "");
}

/** Whether the file is the side-by-side copy `migrate rewrite --v2` writes. */
export function isV2File(file: string): boolean {
  return /-v2\.ya?ml$/.test(file);
}
