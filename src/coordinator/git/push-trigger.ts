import type { Logger } from "../../lib/index.js";
import {
  type Diagnostic,
  parseWorkflow,
  planJobs,
  type TriggerEvent,
  type Workflow,
  workflowTriggers,
} from "../../workflow/index.js";
import type { CreatedRun, CreateRunInput } from "../engine/run-engine.js";
import type { GitPushEvent, GitRefUpdate } from "./git-http.js";
import { changedPaths, runGitTool } from "./git-repos.js";

/** Where forges look for workflows; the first directory that holds any wins (Gitea's rule). */
export const WORKFLOW_DIRS = [".gitea/workflows", ".forgejo/workflows", ".github/workflows"] as const;

/** What one pushed ref did to one workflow: a run, or the reason there is none. */
export interface PushOutcome {
  repo: string;
  ref: string;
  /** The pushed commit (a tag is peeled to its commit). */
  sha: string;
  workflow: string;
  runId?: number;
  /** The workflow could not be read, parsed or planned; nothing was started for it. */
  error?: string;
  time: string;
}

export interface WorkflowSource {
  file: string;
  source: string;
}

export interface PushTriggerOptions {
  /** The bare repository that received the push. */
  repoPath: string;
  createRun(input: CreateRunInput): CreatedRun;
  /** Instance URL with a trailing slash, for the `github` context of planning. */
  serverUrl(): string;
  logger: Logger;
  signal: AbortSignal;
  /** `github.actor` of the runs; default "runnerpool". */
  actor?: string;
}

const ZERO_RE = /^0+$/;

function describe(d: Diagnostic): string {
  const pos = d.line === undefined ? "" : `:${d.line}${d.col === undefined ? "" : `:${d.col}`}`;
  return `${d.file}${pos}: ${d.message}`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The workflow files of `commit`, from the first workflow directory that has `.yml`/`.yaml` files. */
export async function workflowsAt(repoPath: string, commit: string, signal: AbortSignal): Promise<WorkflowSource[]> {
  for (const dir of WORKFLOW_DIRS) {
    const listing = await runGitTool(["ls-tree", "-z", commit, "--", `${dir}/`], repoPath, signal);
    const files: string[] = [];
    for (const entry of listing.split("\0")) {
      const tab = entry.indexOf("\t");
      if (tab < 0) continue;
      const [, type] = entry.slice(0, tab).split(" ");
      const path = entry.slice(tab + 1);
      if (type === "blob" && /\.ya?ml$/.test(path)) files.push(path);
    }
    if (files.length === 0) continue;
    const out: WorkflowSource[] = [];
    for (const file of files.sort()) {
      out.push({ file, source: await runGitTool(["cat-file", "blob", `${commit}:${file}`], repoPath, signal) });
    }
    return out;
  }
  return [];
}

/**
 * Starts the workflows a push triggers: for each created or moved branch or tag, the workflows at the
 * pushed commit whose `on.push` filters (branches, tags, paths) match. A workflow that does not parse
 * or plan is reported in the outcome and the log, never thrown: the rest of the push goes on.
 */
export async function triggerPush(options: PushTriggerOptions, event: GitPushEvent): Promise<PushOutcome[]> {
  const outcomes: PushOutcome[] = [];
  for (const update of event.updates) {
    if (ZERO_RE.test(update.after) || !/^refs\/(heads|tags)\//.test(update.ref)) continue;
    try {
      outcomes.push(...(await triggerRef(options, event.repo, update)));
    } catch (err) {
      if (options.signal.aborted) throw err;
      const error = `cannot read the workflows of ${update.ref}: ${message(err)}`;
      options.logger.error({ repo: event.repo, ref: update.ref, err: message(err) }, "push trigger failed");
      outcomes.push({ repo: event.repo, ref: update.ref, sha: update.after, workflow: "", error, time: now() });
    }
  }
  return outcomes;
}

function now(): string {
  return new Date().toISOString();
}

async function triggerRef(options: PushTriggerOptions, repo: string, update: GitRefUpdate): Promise<PushOutcome[]> {
  const { repoPath, signal, logger } = options;
  const sha = (await runGitTool(["rev-parse", "--verify", `${update.after}^{commit}`], repoPath, signal)).trim();
  const isTag = update.ref.startsWith("refs/tags/");
  const changedFiles = isTag ? undefined : await changedPaths(repoPath, update.before, sha, signal);
  const event: TriggerEvent = { name: "push", ref: update.ref, sha, ...(changedFiles ? { changedFiles } : {}) };
  const outcomes: PushOutcome[] = [];
  for (const { file, source } of await workflowsAt(repoPath, sha, signal)) {
    const outcome: PushOutcome = { repo, ref: update.ref, sha, workflow: file, time: now() };
    try {
      const workflow = parsed(file, source);
      if (!workflowTriggers(workflow, event)) continue;
      const { runId } = options.createRun({
        repo,
        workflowFile: file,
        workflowName: workflow.name ?? file,
        // The paths only decide whether the workflow runs; they need not be stored with the run.
        event: { name: "push", ref: update.ref, sha },
        jobs: planned(workflow, repo, event, options),
        actor: options.actor ?? "runnerpool",
      });
      outcome.runId = runId;
      logger.info({ repo, ref: update.ref, workflow: file, runId }, "push started a run");
    } catch (err) {
      outcome.error = message(err);
      logger.warn({ repo, ref: update.ref, workflow: file, error: outcome.error }, "pushed workflow not started");
    }
    outcomes.push(outcome);
  }
  return outcomes;
}

function parsed(file: string, source: string): Workflow {
  const result = parseWorkflow(source, file);
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (!result.workflow || errors.length > 0) {
    throw new Error(errors.map(describe).join("; ") || `${file}: not a workflow`);
  }
  return result.workflow;
}

function planned(workflow: Workflow, repo: string, event: TriggerEvent, options: PushTriggerOptions) {
  const github = {
    event_name: "push",
    ref: event.ref,
    ref_name: event.ref.replace(/^refs\/(heads|tags)\//, ""),
    ref_type: event.ref.startsWith("refs/tags/") ? "tag" : "branch",
    sha: event.sha,
    repository: repo,
    repository_owner: repo.split("/")[0] ?? "",
    server_url: options.serverUrl(),
    workflow: workflow.name ?? workflow.file,
    actor: options.actor ?? "runnerpool",
  };
  const plan = planJobs(workflow, { github, vars: {}, inputs: {} });
  const errors = plan.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map(describe).join("; "));
  return plan.jobs;
}
