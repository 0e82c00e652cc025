import { isMap, isScalar, type Node, type Pair, type YAMLMap } from "yaml";
import {
  explainingCommentsStart,
  lineStart,
  type TextEdit,
  WORKAROUND_COMMENT,
  withTrailingComment,
} from "./text-edit.js";
import type { StepView, WorkflowFile } from "./workflow-file.js";
import { contentEnd, hasRange, pairKeyText, resolveNode } from "./yaml-nodes.js";

/** What replaces the rsync block, as the design document prescribes (shallow, partial, no submodules). */
export const CHECKOUT_ACTION = "actions/checkout@v4";
export const CHECKOUT_WITH: ReadonlyArray<[string, string]> = [
  ["fetch-depth", "1"],
  ["filter", "blob:none"],
  ["submodules", "false"],
];

/** Keys of a run step that mean nothing (or are invalid) on a `uses:` step. */
const DROPPED_KEYS = new Set(["run", "shell", "working-directory", "with"]);

function pairSource(wf: WorkflowFile, pair: Pair): string | undefined {
  const key = pair.key;
  if (!hasRange(key)) return undefined;
  const value = pair.value;
  const end =
    hasRange(value) && !(isScalar(value) && value.value === null) ? contentEnd(wf.text, value as Node) : undefined;
  const stop = end ?? wf.text.indexOf(":", key.range[1]) + 1;
  return wf.text.slice(key.range[0], withTrailingComment(wf.text, stop));
}

function readsVariable(script: string, name: string): boolean {
  return new RegExp(`\\$\\{?${name}\\b|\\benv\\.${name}\\b`).test(script);
}

/**
 * The step's env without LOCAL_REPO and the variables only the removed script read, as source
 * lines at their original indentation; [] to drop env.
 */
function envLines(wf: WorkflowFile, step: StepView, pair: Pair, indent: string): string[] | undefined {
  const env = resolveNode(wf.doc, pair.value);
  if (!isMap(env) || env !== pair.value) return undefined; // an alias or odd value: keep as written
  const script = String(step.run?.value ?? "");
  const kept = env.items.filter((p) => {
    const name = pairKeyText(p) ?? "";
    return name !== "LOCAL_REPO" && !readsVariable(script, name);
  });
  if (kept.length === env.items.length) return undefined;
  if (kept.length === 0) return [];
  const sources = kept.map((p) => pairSource(wf, p));
  if (sources.some((s) => s === undefined)) return undefined;
  if (env.flow) return [`${indent}env: { ${sources.join(", ")} }`];
  const first = kept[0]?.key;
  const childCol = hasRange(first) ? first.range[0] - lineStart(wf.text, first.range[0]) : indent.length + 2;
  return [`${indent}env:`, ...sources.map((s) => `${" ".repeat(childCol)}${s}`)];
}

/**
 * Replaces a local-copy step's mapping with an actions/checkout step in place: the list entry,
 * its anchor and the comments around it stay; `id`, `if` and other step keys are kept verbatim.
 */
export function checkoutReplacement(wf: WorkflowFile, step: StepView): TextEdit[] | undefined {
  const map: YAMLMap = step.node;
  if (map.flow || !map.range) return undefined;
  const start = map.range[0];
  const end = withTrailingComment(wf.text, contentEnd(wf.text, map));
  const indent = " ".repeat(start - lineStart(wf.text, start));
  const unit = " ".repeat(wf.indentUnit);
  const lines: string[] = [];
  let named = false;
  for (const pair of map.items) {
    const key = pairKeyText(pair);
    if (key === "name") {
      lines.push(`${indent}name: Checkout`);
      named = true;
    } else if (key === "run") {
      lines.push(`${indent}uses: ${CHECKOUT_ACTION}`, `${indent}with:`);
      for (const [k, v] of CHECKOUT_WITH) lines.push(`${indent}${unit}${k}: ${v}`);
    } else if (key !== undefined && DROPPED_KEYS.has(key)) {
      // not meaningful on a uses: step
    } else {
      const env = key === "env" ? envLines(wf, step, pair, indent) : undefined;
      if (env !== undefined) {
        lines.push(...env);
        continue;
      }
      const source = pairSource(wf, pair);
      if (source === undefined) return undefined;
      lines.push(`${indent}${source}`);
    }
  }
  if (!named) lines.unshift(`${indent}name: Checkout`);
  const edits: TextEdit[] = [{ start, end, insert: lines.join(wf.eol).slice(indent.length) }];
  const entryLine = lineStart(wf.text, start);
  const comments = explainingCommentsStart(wf.text, entryLine, WORKAROUND_COMMENT);
  if (comments < entryLine) edits.push({ start: comments, end: entryLine, insert: "" });
  return edits;
}
