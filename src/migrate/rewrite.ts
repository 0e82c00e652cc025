import { isScalar, type Node, stringify, type YAMLMap } from "yaml";
import { PoolError } from "../lib/index.js";
import { checkoutReplacement } from "./checkout-replacement.js";
import type { LabelMapOptions } from "./label-map.js";
import { mapLabels } from "./label-map.js";
import { localCopySteps } from "./local-copy.js";
import { localRepoRemoval } from "./local-repo-removal.js";
import { readRunsOn } from "./runs-on.js";
import { runsOnEdit } from "./runs-on-edit.js";
import { scalarOffset } from "./scalar-offset.js";
import { applyEdits, type TextEdit } from "./text-edit.js";
import { loadWorkflow, type SourcePos, type WorkflowFile, type YamlProblem } from "./workflow-file.js";
import { mapValue, scalarText } from "./yaml-nodes.js";

export interface RewriteOptions extends LabelMapOptions {
  /** Mark the result as a side-by-side copy: the workflow's name gets a ` (v2)` suffix. */
  v2?: boolean;
}

/** Something the rewrite changed, or left alone on purpose, at a source position of the input. */
export interface RewriteEvent extends SourcePos {
  message: string;
}

export type RewriteOutcome =
  | { ok: false; file: string; problems: YamlProblem[] }
  | { ok: true; file: string; text: string; changes: RewriteEvent[]; notes: RewriteEvent[] };

function labelEdits(wf: WorkflowFile, options: LabelMapOptions, changes: RewriteEvent[], notes: RewriteEvent[]) {
  const edits: TextEdit[] = [];
  const done = new Set<Node>();
  for (const job of wf.jobs) {
    const runsOn = readRunsOn(wf, job);
    const node = runsOn.node;
    if (node === undefined || done.has(node) || !node.range) continue;
    done.add(node);
    const at = wf.pos(node.range[0]);
    const expression = runsOn.dynamic[0] ?? (runsOn.sets.length > 1 ? runsOn.sets[0]?.at(-1)?.node : undefined);
    if (expression) {
      if (runsOn.sets.flat().some((r) => mapLabels([r.label], options) !== undefined)) {
        notes.push({ ...at, message: `runs-on of job "${job.id}" is an expression; map its values by hand` });
      }
      continue;
    }
    const labels = (runsOn.sets[0] ?? []).map((r) => r.label);
    const mapped = mapLabels(labels, options);
    if (mapped === undefined) continue;
    const edit = runsOnEdit(wf, node, mapped);
    if (edit === undefined) {
      notes.push({ ...at, message: `runs-on of job "${job.id}" is written in a way this tool does not edit` });
      continue;
    }
    edits.push(edit);
    changes.push({ ...at, message: `runs-on [${labels.join(", ")}] -> [${mapped.join(", ")}]` });
  }
  return edits;
}

function renderLike(value: string, type: string | undefined): string {
  if (type === "QUOTE_DOUBLE") return JSON.stringify(value);
  if (type === "QUOTE_SINGLE") return `'${value.replace(/'/g, "''")}'`;
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

function v2NameEdit(wf: WorkflowFile, fallback: string): TextEdit | undefined {
  const name = mapValue(wf.doc, wf.root, "name");
  if (isScalar(name) && name.range) {
    const current = scalarText(name) ?? fallback;
    if (current.endsWith("(v2)")) return undefined;
    return { start: name.range[0], end: name.range[1], insert: renderLike(`${current} (v2)`, name.type) };
  }
  const at = wf.root.range?.[0] ?? 0;
  return { start: at, end: at, insert: `name: ${renderLike(`${fallback} (v2)`, "PLAIN")}${wf.eol}` };
}

/**
 * Rewrites one workflow for the pool: rsync checkout -> actions/checkout, LOCAL_REPO dropped,
 * runs-on labels mapped to [self-hosted, <role>]. Only the touched spans of the text change, and
 * running it on its own output changes nothing. A YAML error returns the problems and no text.
 */
export function rewriteWorkflow(file: string, text: string, options: RewriteOptions = {}): RewriteOutcome {
  const loaded = loadWorkflow(file, text);
  if (!loaded.ok) return { ok: false, file, problems: loaded.problems };
  const wf = loaded.workflow;
  const changes: RewriteEvent[] = [];
  const notes: RewriteEvent[] = [];
  const edits: TextEdit[] = [];
  const replaced: YAMLMap[] = [];
  for (const { step, copy } of localCopySteps(wf)) {
    const at = wf.pos(step.run ? scalarOffset(text, step.run, copy.command.start) : (step.node.range?.[0] ?? 0));
    const label = step.name === undefined ? `step ${step.index + 1} of job "${step.jobId}"` : `step "${step.name}"`;
    if (copy.otherCommand !== undefined) {
      notes.push({ ...at, message: `${label} not replaced: it also runs "${copy.otherCommand.text}"` });
      continue;
    }
    const stepEdits = checkoutReplacement(wf, step);
    if (stepEdits === undefined) {
      notes.push({ ...at, message: `${label} not replaced: it is written in a way this tool does not edit` });
      continue;
    }
    edits.push(...stepEdits);
    replaced.push(step.node);
    changes.push({
      ...wf.pos(stepEdits[0]?.start ?? 0),
      message: `${label}: ${copy.tool} checkout -> actions/checkout@v4`,
    });
  }
  const removal = localRepoRemoval(wf, replaced);
  edits.push(...removal.edits);
  for (const at of removal.removed) changes.push({ ...at, message: "LOCAL_REPO env entry removed" });
  notes.push(...removal.kept);
  edits.push(...labelEdits(wf, options, changes, notes));
  if (options.v2 && edits.length > 0) {
    const base = file.replace(/^.*\//, "").replace(/\.ya?ml$/, "");
    const edit = v2NameEdit(wf, base);
    if (edit) {
      edits.push(edit);
      changes.push({ ...wf.pos(edit.start), message: "workflow name marked (v2)" });
    }
  }
  const out = applyEdits(text, edits);
  const check = loadWorkflow(file, out);
  if (!check.ok) {
    const p = check.problems[0];
    throw new PoolError("INTERNAL", `rewriting produced invalid YAML (${p?.message}); the file was left untouched`, {
      file,
      ...(p ? { line: p.line, col: p.col } : {}),
    });
  }
  const byPosition = (a: RewriteEvent, b: RewriteEvent) => a.line - b.line || a.col - b.col;
  return { ok: true, file, text: out, changes: changes.sort(byPosition), notes: notes.sort(byPosition) };
}
