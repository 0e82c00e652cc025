import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type Scalar,
  type YAMLMap,
} from "yaml";
import { mapResolved, resolveNode, scalarText } from "./yaml-nodes.js";

/** 1-based line and column. */
export interface SourcePos {
  line: number;
  col: number;
}

export interface StepView {
  jobId: string;
  /** 0-based position in the job's `steps:` list. */
  index: number;
  /** The step's mapping, aliases followed. */
  node: YAMLMap;
  /** Where this list entry is written: the mapping itself, or the alias that names it. */
  at: Node;
  /** True when the entry is an alias: edits belong to the anchored original. */
  viaAlias: boolean;
  name?: string;
  uses?: string;
  run?: Scalar;
}

export interface WorkflowJob {
  id: string;
  key: Scalar;
  node: YAMLMap;
  steps: StepView[];
}

export interface YamlProblem {
  line: number;
  col: number;
  message: string;
}

/**
 * One workflow file parsed for analysis and editing: the `yaml` Document keeps every node's source
 * range, and the original text is kept so edits splice it and leave everything else byte-identical.
 */
export interface WorkflowFile {
  file: string;
  text: string;
  doc: Document;
  root: YAMLMap;
  jobs: WorkflowJob[];
  /** The line break the file uses, for generated lines. */
  eol: string;
  /** Spaces per nesting level, guessed from the file. */
  indentUnit: number;
  pos(offset: number): SourcePos;
}

export type LoadedWorkflow = { ok: true; workflow: WorkflowFile } | { ok: false; problems: YamlProblem[] };

function yamlProblems(doc: Document): YamlProblem[] {
  return doc.errors.map((e) => ({
    line: e.linePos?.[0].line ?? 1,
    col: e.linePos?.[0].col ?? 1,
    // the library appends "at line L, column C:" and a code frame; the position is reported separately
    message: (e.message.split("\n")[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ""),
  }));
}

function guessIndent(pos: (offset: number) => SourcePos, root: YAMLMap, doc: Document): number {
  const jobsPair = root.items.find((p) => isScalar(p.key) && p.key.value === "jobs");
  const jobs = resolveNode(doc, jobsPair?.value);
  const first = isMap(jobs) && !jobs.flow ? jobs.items[0]?.key : undefined;
  if (isScalar(jobsPair?.key) && isScalar(first) && jobsPair.key.range && first.range) {
    const unit = pos(first.range[0]).col - pos(jobsPair.key.range[0]).col;
    if (unit > 0) return unit;
  }
  return 2;
}

function stepsOf(doc: Document, jobId: string, job: YAMLMap): StepView[] {
  const list = mapResolved(doc, job, "steps");
  if (!isSeq(list)) return [];
  const out: StepView[] = [];
  list.items.forEach((item, index) => {
    const node = resolveNode(doc, item);
    if (!isMap(node)) return;
    const step: StepView = { jobId, index, node, at: item as Node, viaAlias: node !== item };
    const name = scalarText(mapResolved(doc, node, "name"));
    const uses = scalarText(mapResolved(doc, node, "uses"));
    const run = mapResolved(doc, node, "run");
    if (name !== undefined) step.name = name;
    if (uses !== undefined) step.uses = uses;
    if (isScalar(run) && typeof run.value === "string") step.run = run;
    out.push(step);
  });
  return out;
}

/** Parses a workflow; YAML errors come back as problems with positions, never as exceptions. */
export function loadWorkflow(file: string, text: string): LoadedWorkflow {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { keepSourceTokens: true, lineCounter, prettyErrors: true, uniqueKeys: true });
  const pos = (offset: number): SourcePos => lineCounter.linePos(offset);
  if (doc.errors.length > 0) return { ok: false, problems: yamlProblems(doc) };
  const root = doc.contents;
  if (!isMap(root)) {
    const at = root?.range ? pos(root.range[0]) : { line: 1, col: 1 };
    return { ok: false, problems: [{ ...at, message: "the workflow is not a mapping of keys (on, jobs, ...)" }] };
  }
  const jobsNode = mapResolved(doc, root, "jobs");
  const jobs: WorkflowJob[] = [];
  if (isMap(jobsNode)) {
    for (const pair of jobsNode.items) {
      const job = resolveNode(doc, pair.value);
      if (!isScalar(pair.key) || !isMap(job)) continue;
      const id = String(pair.key.value);
      jobs.push({ id, key: pair.key, node: job, steps: stepsOf(doc, id, job) });
    }
  }
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  return { ok: true, workflow: { file, text, doc, root, jobs, eol, indentUnit: guessIndent(pos, root, doc), pos } };
}
