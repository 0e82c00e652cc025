import { existsSync } from "node:fs";
import { PoolError } from "../../lib/index.js";
import type { TriggerEvent } from "../../workflow/index.js";
import type { TriggerInput, TriggerOutcome, WorkflowSource } from "../engine/trigger.js";
import type { Store } from "../store/db.js";
import type { JobRecord } from "../store/records.js";
import { bareRepoPath, runGitTool } from "./git-repos.js";
import { workflowsAt } from "./push-trigger.js";

/** A `workflow_dispatch` of one workflow of a hosted repository at a ref. */
export interface DispatchRequest {
  /** `owner/name` of a repository the coordinator hosts. */
  repo: string;
  /** The workflow's file name (`deploy.yml`) or its path from the repository root. */
  workflow: string;
  /** Branch, tag, full ref or commit; default: the repository's default branch. */
  ref?: string;
  inputs?: Record<string, string>;
  actor?: string;
}

export interface RerunRequest {
  runId: number;
  /** Only the failed and cancelled jobs, the jobs that need them, and the jobs they need. */
  failed?: boolean;
}

export interface DispatcherOptions {
  reposDir: string | undefined;
  store: Store;
  trigger(input: TriggerInput): TriggerOutcome[];
  signal: AbortSignal;
}

/** What a dispatch or re-run started: the run, or a PoolError saying why not. */
function started(outcome: TriggerOutcome | undefined, what: string): TriggerOutcome {
  if (outcome?.runId !== undefined) return outcome;
  if (outcome?.skipped !== undefined) {
    throw new PoolError("INVALID_ARGUMENT", `${outcome.workflow} is not started by ${what}: ${outcome.skipped}`);
  }
  throw new PoolError("WORKFLOW_INVALID", outcome?.error ?? `${what} started nothing`);
}

function repoPathOf(reposDir: string | undefined, repo: string): string {
  if (reposDir === undefined) throw new PoolError("NOT_FOUND", "this coordinator hosts no repositories");
  const [owner = "", name = "", ...rest] = repo.split("/");
  if (rest.length > 0) throw new PoolError("INVALID_ARGUMENT", `repository "${repo}" is not owner/name`);
  const path = bareRepoPath(reposDir, owner, name);
  if (!existsSync(path)) throw new PoolError("NOT_FOUND", `repository ${repo} is not hosted here: push it first`);
  return path;
}

/** The full ref and commit `ref` names in a bare repository (branch first, then tag, then a commit). */
async function resolveRef(repoPath: string, ref: string | undefined, signal: AbortSignal) {
  const git = (...args: string[]) => runGitTool(args, repoPath, signal).then((s) => s.trim());
  const wanted = ref ?? (await git("symbolic-ref", "HEAD").catch(() => "refs/heads/main"));
  const candidates = wanted.startsWith("refs/") ? [wanted] : [`refs/heads/${wanted}`, `refs/tags/${wanted}`, wanted];
  for (const full of candidates) {
    const sha = await git("rev-parse", "--verify", "--quiet", `${full}^{commit}`).catch(() => "");
    if (sha !== "") return { ref: full, sha };
  }
  throw new PoolError("NOT_FOUND", `no branch, tag or commit "${wanted}" in ${repoPath}: push it first`);
}

function pick(workflows: WorkflowSource[], name: string, where: string): WorkflowSource {
  const found = workflows.find((w) => w.file === name || w.file.split("/").pop() === name);
  if (found) return found;
  const have = workflows.map((w) => w.file).join(", ") || "none";
  throw new PoolError("NOT_FOUND", `no workflow "${name}" at ${where} (workflows: ${have})`);
}

/** Jobs to plan again: every failed or cancelled job, what needs them (to the end), and what they need. */
function failedClosure(jobs: readonly JobRecord[]): string[] {
  const rerun = new Set(jobs.filter((j) => j.status === "failure" || j.status === "cancelled").map((j) => j.jobId));
  if (rerun.size === 0) throw new PoolError("INVALID_ARGUMENT", "no job of this run failed: re-run it whole instead");
  const grow = (next: (j: JobRecord) => string[]) => {
    for (let changed = true; changed; ) {
      changed = false;
      for (const j of jobs) {
        for (const id of next(j)) {
          if (!rerun.has(id)) {
            rerun.add(id);
            changed = true;
          }
        }
      }
    }
  };
  grow((j) => (j.needs.some((n) => rerun.has(n)) ? [j.jobId] : []));
  // Jobs a re-run job needs run again too, so its `needs.<id>.outputs` are real rather than copied.
  grow((j) => (rerun.has(j.jobId) ? j.needs : []));
  return [...rerun];
}

/** Dispatch and re-run: both read the workflow from the hosted repository and go through the one trigger path. */
export function createDispatcher(o: DispatcherOptions) {
  return {
    async dispatch(request: DispatchRequest): Promise<TriggerOutcome> {
      const repoPath = repoPathOf(o.reposDir, request.repo);
      const { ref, sha } = await resolveRef(repoPath, request.ref, o.signal);
      const workflow = pick(await workflowsAt(repoPath, sha, o.signal), request.workflow, `${request.repo}@${sha}`);
      const event: TriggerEvent = { name: "workflow_dispatch", ref, sha, inputs: request.inputs ?? {} };
      const [outcome] = o.trigger({
        repo: request.repo,
        workflows: [workflow],
        event,
        ...(request.actor ? { actor: request.actor } : {}),
      });
      return started(outcome, "workflow_dispatch");
    },

    /** A new run of the same workflow file at the same commit, with the same event, vars and actor. */
    async rerun(request: RerunRequest): Promise<TriggerOutcome> {
      const run = o.store.runs.get(request.runId);
      if (!run) throw new PoolError("NOT_FOUND", `no run ${request.runId}: see \`runnerpool runs list\``);
      const jobs = o.store.jobs.ofRun(run.id);
      if (run.status === "waiting" || run.status === "running") {
        throw new PoolError("INVALID_ARGUMENT", `run ${run.id} is ${run.status}: cancel it or let it finish first`);
      }
      const only = request.failed ? failedClosure(jobs) : undefined;
      const repoPath = repoPathOf(o.reposDir, run.repo);
      const workflow = pick(await workflowsAt(repoPath, run.sha, o.signal), run.workflowFile, `${run.repo}@${run.sha}`);
      const [outcome] = o.trigger({
        repo: run.repo,
        workflows: [workflow],
        event: JSON.parse(run.eventJson) as TriggerEvent,
        actor: run.actor,
        vars: run.vars,
        ...(only ? { onlyJobs: only } : {}),
      });
      return started(outcome, `a re-run of run ${run.id}`);
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
