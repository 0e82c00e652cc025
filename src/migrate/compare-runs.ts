import { type ArtifactFileDigest, type ComparableJob, type ComparableRun, workflowKey } from "./comparable-run.js";

export interface JobSide {
  result: string;
  /** startedAt -> stoppedAt; undefined when the job never ran. */
  wallMs?: number;
}

export interface JobComparison {
  name: string;
  matrix: Record<string, unknown>;
  a?: JobSide;
  b?: JobSide;
  /** B's wall time over A's. */
  ratio?: number;
  status: "same" | "result-differs" | "only-in-a" | "only-in-b";
}

export interface FileDifference {
  path: string;
  status: "differs" | "only-in-a" | "only-in-b";
  a?: { size: number; sha256: string };
  b?: { size: number; sha256: string };
}

export interface ArtifactComparison {
  name: string;
  status: "equal" | "differs" | "only-in-a" | "only-in-b";
  /** Files with the same content on both sides. */
  equalFiles: number;
  differences: FileDifference[];
}

export interface RunSide {
  source: string;
  workflow: string;
  /** Every job succeeded or was skipped, and the run had no error. */
  green: boolean;
  /** First queued job to last stopped job. */
  wallMs?: number;
}

export interface RunComparison {
  /** The workflow both runs belong to (`probe-release` for probe-release.yml and probe-release-v2.yml). */
  workflow: string;
  a: RunSide;
  b: RunSide;
  ratio?: number;
  jobs: JobComparison[];
  artifacts: ArtifactComparison[];
  resultsEqual: boolean;
  artifactsEqual: boolean;
  /** Results and artifacts equal: what `compare` exits 0 for. */
  equal: boolean;
  /** Why not equal (empty when equal), then remarks that do not change the verdict. */
  reasons: string[];
  notes: string[];
}

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : Number.NaN);

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function jobKey(job: ComparableJob): string {
  return `${job.name}\u0000${canonical(job.matrix)}`;
}

function jobSide(job: ComparableJob): JobSide {
  const wall = ms(job.stoppedAt) - ms(job.startedAt);
  return { result: job.result, ...(Number.isFinite(wall) ? { wallMs: Math.max(0, wall) } : {}) };
}

function runSide(run: ComparableRun): RunSide {
  const start = Math.min(...run.jobs.map((j) => ms(j.queuedAt ?? j.startedAt)).filter(Number.isFinite));
  const end = Math.max(...run.jobs.map((j) => ms(j.stoppedAt)).filter(Number.isFinite));
  const green = run.error === undefined && run.jobs.every((j) => j.result === "success" || j.result === "skipped");
  return {
    source: run.source,
    workflow: run.workflow,
    green,
    ...(Number.isFinite(end - start) ? { wallMs: Math.max(0, end - start) } : {}),
  };
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || a === 0 ? undefined : Math.round((b / a) * 100) / 100;
}

function compareJobs(a: ComparableRun, b: ComparableRun): JobComparison[] {
  const bJobs = new Map(b.jobs.map((j) => [jobKey(j), j]));
  const out: JobComparison[] = [];
  for (const ja of a.jobs) {
    const jb = bJobs.get(jobKey(ja));
    bJobs.delete(jobKey(ja));
    const sa = jobSide(ja);
    if (!jb) {
      out.push({ name: ja.name, matrix: ja.matrix, a: sa, status: "only-in-a" });
      continue;
    }
    const sb = jobSide(jb);
    const r = ratio(sa.wallMs, sb.wallMs);
    out.push({
      name: ja.name,
      matrix: ja.matrix,
      a: sa,
      b: sb,
      ...(r === undefined ? {} : { ratio: r }),
      status: sa.result === sb.result ? "same" : "result-differs",
    });
  }
  for (const jb of bJobs.values()) out.push({ name: jb.name, matrix: jb.matrix, b: jobSide(jb), status: "only-in-b" });
  return out;
}

function compareFiles(a: ArtifactFileDigest[], b: ArtifactFileDigest[]): { equal: number; diffs: FileDifference[] } {
  const bFiles = new Map(b.map((f) => [f.path, f]));
  const diffs: FileDifference[] = [];
  let equal = 0;
  for (const fa of a) {
    const fb = bFiles.get(fa.path);
    bFiles.delete(fa.path);
    const sideA = { size: fa.size, sha256: fa.sha256 };
    if (!fb) diffs.push({ path: fa.path, status: "only-in-a", a: sideA });
    else if (fb.sha256 !== fa.sha256) {
      diffs.push({ path: fa.path, status: "differs", a: sideA, b: { size: fb.size, sha256: fb.sha256 } });
    } else equal++;
  }
  for (const fb of bFiles.values())
    diffs.push({ path: fb.path, status: "only-in-b", b: { size: fb.size, sha256: fb.sha256 } });
  diffs.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return { equal, diffs };
}

function compareArtifacts(a: ComparableRun, b: ComparableRun): ArtifactComparison[] {
  const bArts = new Map((b.artifacts ?? []).map((x) => [x.name, x]));
  const out: ArtifactComparison[] = [];
  for (const xa of a.artifacts ?? []) {
    const xb = bArts.get(xa.name);
    bArts.delete(xa.name);
    if (!xb) {
      out.push({ name: xa.name, status: "only-in-a", equalFiles: 0, differences: [] });
      continue;
    }
    const { equal, diffs } = compareFiles(xa.files, xb.files);
    out.push({
      name: xa.name,
      status: diffs.length === 0 ? "equal" : "differs",
      equalFiles: equal,
      differences: diffs,
    });
  }
  for (const xb of bArts.values()) out.push({ name: xb.name, status: "only-in-b", equalFiles: 0, differences: [] });
  return out;
}

const label = (j: { name: string; matrix: Record<string, unknown> }) =>
  Object.keys(j.matrix).length === 0 ? j.name : `${j.name} ${canonical(j.matrix)}`;

/**
 * Compares two runs of one workflow (typically v1 and its v2) job by job, matched by name and
 * matrix: results, wall time and B/A ratio, and every artifact file by SHA-256.
 */
export function compareRuns(a: ComparableRun, b: ComparableRun): RunComparison {
  const jobs = compareJobs(a, b);
  const artifacts = compareArtifacts(a, b);
  const reasons: string[] = [];
  const notes: string[] = [];
  if (a.error !== undefined) reasons.push(`A did not run: ${a.error}`);
  if (b.error !== undefined) reasons.push(`B did not run: ${b.error}`);
  for (const j of jobs) {
    if (j.status === "result-differs") reasons.push(`job ${label(j)}: ${j.a?.result} in A, ${j.b?.result} in B`);
    if (j.status === "only-in-a") reasons.push(`job ${label(j)} is only in A`);
    if (j.status === "only-in-b") reasons.push(`job ${label(j)} is only in B`);
  }
  for (const x of artifacts) {
    if (x.status === "only-in-a" || x.status === "only-in-b") {
      reasons.push(`artifact ${x.name} is only in ${x.status === "only-in-a" ? "A" : "B"}`);
    }
    for (const d of x.differences) {
      const what = d.status === "differs" ? "differs" : `is only in ${d.status === "only-in-a" ? "A" : "B"}`;
      reasons.push(`artifact ${x.name}: ${d.path} ${what}`);
    }
  }
  if (a.artifacts === undefined || b.artifacts === undefined) {
    notes.push("a summary without artifact digests: only results were compared (rerun with this version)");
  } else if (artifacts.length === 0) {
    notes.push("neither run uploaded artifacts: only results were compared");
  }
  const resultsEqual = a.error === undefined && b.error === undefined && jobs.every((j) => j.status === "same");
  const artifactsEqual = artifacts.every((x) => x.status === "equal");
  const sa = runSide(a);
  const sb = runSide(b);
  const r = ratio(sa.wallMs, sb.wallMs);
  return {
    workflow: workflowKey(b.workflow),
    a: sa,
    b: sb,
    ...(r === undefined ? {} : { ratio: r }),
    jobs,
    artifacts,
    resultsEqual,
    artifactsEqual,
    equal: resultsEqual && artifactsEqual,
    reasons,
    notes,
  };
}
