import type { Scalar } from "yaml";

function searchRaw(raw: string, value: string, index: number): number | undefined {
  const lineEnd = value.indexOf("\n", index);
  const needle = value.slice(index, lineEnd < 0 ? undefined : lineEnd).slice(0, 40);
  if (needle === "") return undefined;
  // the same text can appear twice; pick the occurrence with the same rank as in the value
  let rank = 0;
  for (let i = value.indexOf(needle); i >= 0 && i < index; i = value.indexOf(needle, i + 1)) rank++;
  let at = raw.indexOf(needle);
  for (let r = 0; r < rank && at >= 0; r++) at = raw.indexOf(needle, at + 1);
  return at < 0 ? undefined : at;
}

function literalOffset(raw: string, value: string, index: number): number | undefined {
  const headerEnd = raw.indexOf("\n");
  if (headerEnd < 0) return undefined;
  const rawLines = raw.slice(headerEnd + 1).split("\n");
  const firstContent = rawLines.find((l) => l.trim() !== "");
  if (firstContent === undefined) return undefined;
  const indent = firstContent.length - firstContent.trimStart().length;
  const before = value.slice(0, index);
  const k = before.split("\n").length - 1;
  const c = index - (before.lastIndexOf("\n") + 1);
  const rawLine = rawLines[k];
  if (rawLine === undefined || rawLine.length < indent + c) return undefined;
  let off = headerEnd + 1;
  for (let i = 0; i < k; i++) off += (rawLines[i]?.length ?? 0) + 1;
  return off + indent + c;
}

/**
 * The source offset of character `index` of a scalar's decoded value, so a finding inside a
 * multi-line `run:` script points at its own line. Falls back to the scalar's start.
 */
export function scalarOffset(text: string, node: Scalar, index: number): number {
  const [start, end] = node.range ?? [0, 0];
  const raw = text.slice(start, end);
  const value = String(node.value);
  let rel: number | undefined;
  if (node.type === "BLOCK_LITERAL") rel = literalOffset(raw, value, index);
  else if (!raw.includes("\n") && !raw.includes("\\")) {
    if (node.type === "PLAIN") rel = index;
    else if (node.type === "QUOTE_SINGLE" && !raw.includes("''")) rel = index + 1;
    else if (node.type === "QUOTE_DOUBLE") rel = index + 1;
  }
  rel ??= searchRaw(raw, value, index);
  return start + (rel ?? 0);
}
