import { isMap, isPair, isScalar, type Pair, visit, type YAMLMap } from "yaml";
import { scalarOffset } from "./scalar-offset.js";
import {
  explainingCommentsStart,
  lineStart,
  nextLineStart,
  type TextEdit,
  WORKAROUND_COMMENT,
  withTrailingComment,
} from "./text-edit.js";
import type { SourcePos, WorkflowFile } from "./workflow-file.js";
import { contentEnd, hasRange, scalarText } from "./yaml-nodes.js";

const WORD = /\bLOCAL_REPO\b/;

export interface LocalRepoRemoval {
  edits: TextEdit[];
  /** Definitions that stay, with why. */
  kept: Array<SourcePos & { message: string }>;
  removed: SourcePos[];
}

function inside(nodes: readonly YAMLMap[], offset: number): boolean {
  return nodes.some((n) => n.range && offset >= n.range[0] && offset < n.range[1]);
}

/** Whole lines from the pair's key to the end of its value, or undefined if the key shares its line. */
function pairLines(wf: WorkflowFile, pair: Pair): TextEdit | undefined {
  if (!hasRange(pair.key)) return undefined;
  const keyStart = pair.key.range[0];
  const from = lineStart(wf.text, keyStart);
  if (wf.text.slice(from, keyStart).trim() !== "") return undefined;
  const value = pair.value;
  const end = hasRange(value) ? contentEnd(wf.text, value) : pair.key.range[1];
  const start = explainingCommentsStart(wf.text, from, WORKAROUND_COMMENT);
  return { start, end: nextLineStart(wf.text, withTrailingComment(wf.text, end)), insert: "" };
}

/**
 * Drops `LOCAL_REPO:` env entries once nothing outside the replaced checkout steps reads the
 * variable; an env mapping left empty goes with it. Entries inside replaced steps are handled by
 * the step replacement itself.
 */
export function localRepoRemoval(wf: WorkflowFile, replaced: readonly YAMLMap[]): LocalRepoRemoval {
  const out: LocalRepoRemoval = { edits: [], kept: [], removed: [] };
  const definitions: Array<{ pair: Pair; map: YAMLMap; parent: unknown }> = [];
  let readAt: SourcePos | undefined;
  visit(wf.doc, {
    Pair(_key, pair, path) {
      const map = path.at(-1);
      const start = hasRange(pair.key) ? pair.key.range[0] : undefined;
      if (!isMap(map) || start === undefined || inside(replaced, start)) return;
      if (isScalar(pair.key) && pair.key.value === "LOCAL_REPO") definitions.push({ pair, map, parent: path.at(-2) });
    },
    Scalar(key, node) {
      const text = scalarText(node);
      const start = node.range?.[0];
      if (key === "key" || text === undefined || start === undefined || !WORD.test(text)) return;
      if (!inside(replaced, start)) readAt ??= wf.pos(scalarOffset(wf.text, node, text.search(WORD)));
    },
  });
  for (const { pair, map, parent } of definitions) {
    const at = wf.pos(hasRange(pair.key) ? pair.key.range[0] : 0);
    if (readAt !== undefined) {
      out.kept.push({ ...at, message: `LOCAL_REPO kept: still read at line ${readAt.line}` });
      continue;
    }
    const sole = map.items.length === 1;
    let edit: TextEdit | undefined;
    if (sole && map.anchor === undefined && isPair(parent) && parent.value === map) edit = pairLines(wf, parent);
    else if (!sole && !map.flow) edit = pairLines(wf, pair);
    if (edit === undefined) {
      out.kept.push({ ...at, message: "LOCAL_REPO kept: its env mapping is written in a way this tool does not edit" });
      continue;
    }
    out.edits.push(edit);
    out.removed.push(at);
  }
  return out;
}
