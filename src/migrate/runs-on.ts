import { isMap, isScalar, isSeq, type Node, type Scalar } from "yaml";
import type { WorkflowFile, WorkflowJob } from "./workflow-file.js";
import { mapResolved, mapValue, resolveNode, scalarText } from "./yaml-nodes.js";

/** One label and the scalar that spells it (in runs-on, or in the matrix it came from). */
export interface LabelRef {
  label: string;
  node: Scalar;
  /** The label is a value of the job's matrix, not written in runs-on itself. */
  fromMatrix?: boolean;
}

/** A job's runs-on as label sets: one set, or one per matrix value when runs-on names a matrix key. */
export interface RunsOn {
  /** The node holding the label list (runs-on itself, or its `labels:` entry), aliases followed. */
  node?: Node;
  sets: LabelRef[][];
  /** Labels that are expressions we cannot expand statically. */
  dynamic: Scalar[];
}

const MATRIX_REF = /^\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}$/;

function scalarsOf(wf: WorkflowFile, node: Node | undefined): Scalar[] {
  const n = resolveNode(wf.doc, node);
  if (isScalar(n)) return scalarText(n) === undefined ? [] : [n];
  if (isSeq(n)) return n.items.flatMap((i) => scalarsOf(wf, i as Node));
  return [];
}

function matrixValues(wf: WorkflowFile, job: WorkflowJob, key: string): Scalar[] | undefined {
  const strategy = mapResolved(wf.doc, job.node, "strategy");
  const matrix = isMap(strategy) ? mapResolved(wf.doc, strategy, "matrix") : undefined;
  if (!isMap(matrix)) return undefined;
  const values = scalarsOf(wf, mapValue(wf.doc, matrix, key));
  const include = mapResolved(wf.doc, matrix, "include");
  if (isSeq(include)) {
    for (const entry of include.items) {
      const m = resolveNode(wf.doc, entry);
      if (isMap(m)) values.push(...scalarsOf(wf, mapValue(wf.doc, m, key)));
    }
  }
  return values.length > 0 ? values : undefined;
}

/** Reads `runs-on` as written: a label, a list, or `{group, labels}`; matrix references expanded. */
export function readRunsOn(wf: WorkflowFile, job: WorkflowJob): RunsOn {
  let node = mapResolved(wf.doc, job.node, "runs-on");
  if (isMap(node)) node = mapResolved(wf.doc, node, "labels");
  const out: RunsOn = { sets: [], dynamic: [] };
  if (node === undefined) return out;
  out.node = node;
  const fixed: LabelRef[] = [];
  const expanded: Scalar[][] = [];
  for (const s of scalarsOf(wf, node)) {
    const label = scalarText(s) ?? "";
    const ref = MATRIX_REF.exec(label);
    const values = ref?.[1] === undefined ? undefined : matrixValues(wf, job, ref[1]);
    if (values) expanded.push(values);
    else if (label.includes("${{")) out.dynamic.push(s);
    else fixed.push({ label, node: s });
  }
  if (expanded.length === 0) {
    out.sets.push(fixed);
    return out;
  }
  // one set per value of each referenced key; combining keys is rare and not needed for coverage
  for (const values of expanded) {
    for (const v of values) out.sets.push([...fixed, { label: scalarText(v) ?? "", node: v, fromMatrix: true }]);
  }
  return out;
}
