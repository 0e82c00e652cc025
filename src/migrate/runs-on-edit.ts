import { isScalar, isSeq, type Node, type Scalar } from "yaml";
import { lineStart, type TextEdit } from "./text-edit.js";
import type { WorkflowFile } from "./workflow-file.js";
import { contentEnd, scalarText } from "./yaml-nodes.js";

type Quote = Scalar["type"];

function render(label: string, quote: Quote): string {
  if (quote === "QUOTE_SINGLE") return `'${label.replace(/'/g, "''")}'`;
  if (quote === "QUOTE_DOUBLE" || !/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(label)) return JSON.stringify(label);
  return label;
}

/**
 * Rewrites a runs-on label list (a scalar or a sequence, flow or block) to `labels`, keeping the
 * container style, the quoting of the labels, and the source text of labels that stay.
 */
export function runsOnEdit(wf: WorkflowFile, node: Node, labels: readonly string[]): TextEdit | undefined {
  const range = node.range;
  if (!range) return undefined;
  const items: Scalar[] = isScalar(node) ? [node] : isSeq(node) ? node.items.filter(isScalar) : [];
  if (items.length === 0 || (isSeq(node) && items.length !== node.items.length)) return undefined;
  const quote = items[0]?.type;
  const kept = new Map<string, string>();
  for (const s of items) {
    const text = scalarText(s);
    if (text !== undefined && s.range) kept.set(text, wf.text.slice(s.range[0], s.range[1]));
  }
  const parts = labels.map((l) => kept.get(l) ?? render(l, quote));
  if (isSeq(node) && !node.flow) {
    const indent = " ".repeat(range[0] - lineStart(wf.text, range[0]));
    return {
      start: range[0],
      end: contentEnd(wf.text, node),
      insert: parts.map((p) => `- ${p}`).join(wf.eol + indent),
    };
  }
  const spaced = isSeq(node) && /^\[\s/.test(wf.text.slice(range[0]));
  const insert =
    parts.length === 1 && isScalar(node)
      ? (parts[0] ?? "")
      : spaced
        ? `[ ${parts.join(", ")} ]`
        : `[${parts.join(", ")}]`;
  return { start: range[0], end: range[1], insert };
}
