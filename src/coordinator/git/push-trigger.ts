import { errorMessage, type Logger } from "../../lib/index.js";
import { pickWorkflowFiles, type TriggerEvent } from "../../workflow/index.js";
import type { PushOutcome } from "../engine/events.js";
import type { TriggerInput, TriggerOutcome, WorkflowSource } from "../engine/trigger.js";
import type { GitPushEvent, GitRefUpdate } from "./git-http.js";
import { changedPaths, runGitTool } from "./git-repos.js";

export interface PushTriggerOptions {
  /** The bare repository that received the push. */
  repoPath: string;
  /** The engine's trigger path (engine/trigger.ts). */
  trigger(input: TriggerInput): TriggerOutcome[];
  logger: Logger;
  signal: AbortSignal;
  /** `github.actor` of the runs; default "runnerpool". */
  actor?: string;
}

const ZERO_RE = /^0+$/;

/** The workflow files of `commit`, found by the one rule every road uses (workflow's pickWorkflowFiles). */
export async function workflowsAt(repoPath: string, commit: string, signal: AbortSignal): Promise<WorkflowSource[]> {
  const blobsIn = async (dir: string): Promise<string[]> => {
    const listing = await runGitTool(["ls-tree", "-z", commit, "--", `${dir}/`], repoPath, signal);
    const names: string[] = [];
    for (const entry of listing.split("\0")) {
      const tab = entry.indexOf("\t");
      if (tab < 0) continue;
      const [, type] = entry.slice(0, tab).split(" ");
      if (type === "blob") names.push(entry.slice(tab + 1).slice(dir.length + 1));
    }
    return names;
  };
  const out: WorkflowSource[] = [];
  for (const file of await pickWorkflowFiles(blobsIn)) {
    out.push({ file, source: await runGitTool(["cat-file", "blob", `${commit}:${file}`], repoPath, signal) });
  }
  return out;
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
      const error = `cannot read the workflows of ${update.ref}: ${errorMessage(err)}`;
      options.logger.error({ repo: event.repo, ref: update.ref, err: errorMessage(err) }, "push trigger failed");
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
  const workflows = await workflowsAt(repoPath, sha, signal);
  const outcomes: PushOutcome[] = [];
  for (const o of options.trigger({ repo, workflows, event, ...(options.actor ? { actor: options.actor } : {}) })) {
    if (o.skipped !== undefined) continue;
    const outcome: PushOutcome = { repo, ref: update.ref, sha, workflow: o.workflow, time: now() };
    if (o.runId !== undefined) {
      outcome.runId = o.runId;
      logger.info({ repo, ref: update.ref, workflow: o.workflow, runId: o.runId }, "push started a run");
    } else {
      outcome.error = o.error ?? `${o.workflow}: not started`;
      logger.warn({ repo, ref: update.ref, workflow: o.workflow, error: outcome.error }, "pushed workflow not started");
    }
    outcomes.push(outcome);
  }
  return outcomes;
}
