import { matchPatterns } from "./glob.js";
import type { TriggerEvent, Workflow } from "./model.js";

function patterns(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  return (Array.isArray(v) ? v : [v]).map((x) => String(x));
}

/** A positive list must match; an ignore list must not. Undefined lists pass. */
function refPasses(name: string, include: string[] | undefined, ignore: string[] | undefined): boolean {
  if (include && !matchPatterns(include, name)) return false;
  if (ignore && matchPatterns(ignore, name)) return false;
  return true;
}

function pushPasses(filter: Record<string, unknown>, event: TriggerEvent): boolean {
  const branches = patterns(filter.branches);
  const branchesIgnore = patterns(filter["branches-ignore"]);
  const tags = patterns(filter.tags);
  const tagsIgnore = patterns(filter["tags-ignore"]);
  const hasBranchFilter = branches !== undefined || branchesIgnore !== undefined;
  const hasTagFilter = tags !== undefined || tagsIgnore !== undefined;
  const isTag = event.ref.startsWith("refs/tags/");
  const name = event.ref.replace(/^refs\/(heads|tags)\//, "");

  if (isTag) {
    // Only branch filters given: tag pushes do not run (GitHub docs), and vice versa below.
    if (hasBranchFilter && !hasTagFilter) return false;
    if (!refPasses(name, tags, tagsIgnore)) return false;
    // Path filters are not evaluated for tag pushes.
    return true;
  }
  if (hasTagFilter && !hasBranchFilter) return false;
  if (!refPasses(name, branches, branchesIgnore)) return false;

  const paths = patterns(filter.paths);
  const pathsIgnore = patterns(filter["paths-ignore"]);
  const files = event.changedFiles;
  if (files === undefined) return true;
  // As Gitea: with path filters and no changed files, the workflow does not run.
  if (paths && !files.some((f) => matchPatterns(paths, f))) return false;
  if (pathsIgnore && files.every((f) => matchPatterns(pathsIgnore, f))) return false;
  return true;
}

/** Does this event start the workflow (event listed under `on:` and its filters pass)? */
export function workflowTriggers(workflow: Workflow, event: TriggerEvent): boolean {
  const filter = workflow.on[event.name];
  if (filter === undefined) return false;
  if (event.name === "workflow_dispatch") return true;
  try {
    return pushPasses(filter, event);
  } catch {
    // A malformed pattern is reported by parseWorkflow; it matches nothing here.
    return false;
  }
}
