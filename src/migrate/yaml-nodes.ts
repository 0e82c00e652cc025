import { type Document, isAlias, isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap } from "yaml";

/** Follows an alias to the node it names; anything else is returned as is. */
export function resolveNode(doc: Document, node: unknown): Node | undefined {
  if (isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? undefined;
  if (isMap(node) || isSeq(node) || isScalar(node)) return node;
  return undefined;
}

function keyText(pair: Pair): string | undefined {
  const k = pair.key;
  if (isScalar(k)) return String(k.value);
  return typeof k === "string" ? k : undefined;
}

/**
 * The pair for `key` in a mapping. Own keys win over `<<` merge keys (go-yaml, which Gitea
 * uses, honours merges, so a label or env can arrive that way).
 */
export function mapPair(doc: Document, map: YAMLMap, key: string): Pair | undefined {
  for (const item of map.items) if (keyText(item) === key) return item;
  for (const item of map.items) {
    if (keyText(item) !== "<<") continue;
    const sources = isSeq(item.value) ? item.value.items : [item.value];
    for (const src of sources) {
      const m = resolveNode(doc, src);
      if (isMap(m)) {
        const found = mapPair(doc, m, key);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/** The value node for `key`, aliases not followed (positions stay where the user wrote them). */
export function mapValue(doc: Document, map: YAMLMap, key: string): Node | undefined {
  const v = mapPair(doc, map, key)?.value;
  return isMap(v) || isSeq(v) || isScalar(v) || isAlias(v) ? v : undefined;
}

/** The value for `key`, aliases followed. */
export function mapResolved(doc: Document, map: YAMLMap, key: string): Node | undefined {
  return resolveNode(doc, mapValue(doc, map, key));
}

/** A scalar's value as text, or undefined for null and non-scalars. */
export function scalarText(node: unknown): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return String(node.value);
}

export function pairKeyText(pair: Pair): string | undefined {
  return keyText(pair);
}

/** True for a scalar, map or sequence whose source range is known. */
export function hasRange(node: unknown): node is Node & { range: [number, number, number] } {
  return (isScalar(node) || isMap(node) || isSeq(node) || isAlias(node)) && Array.isArray(node.range);
}

/**
 * Offset just past the last character that belongs to `node`'s value: block scalars end before
 * their trailing blank lines, collections at the end of their last entry, so comments and blank
 * lines that follow stay with whatever comes next.
 */
export function contentEnd(text: string, node: Node): number {
  if (isScalar(node)) return scalarEnd(text, node);
  if (isAlias(node)) return node.range?.[1] ?? 0;
  if ((isMap(node) || isSeq(node)) && node.flow) return node.range?.[1] ?? 0;
  if (isMap(node)) {
    const last = node.items.at(-1);
    if (!last) return node.range?.[1] ?? 0;
    const v = last.value;
    if (hasRange(v) && !(isScalar(v) && v.value === null && v.range[0] === v.range[1])) return contentEnd(text, v);
    const k = last.key;
    const keyEnd = hasRange(k) ? k.range[1] : (node.range?.[0] ?? 0);
    const colon = text.indexOf(":", keyEnd);
    return colon < 0 ? keyEnd : colon + 1;
  }
  if (isSeq(node)) {
    const last = node.items.at(-1);
    return hasRange(last) ? contentEnd(text, last) : (node.range?.[1] ?? 0);
  }
  return 0;
}

function scalarEnd(text: string, node: Scalar): number {
  const [start, end] = node.range ?? [0, 0];
  if (node.type !== "BLOCK_LITERAL" && node.type !== "BLOCK_FOLDED") return end;
  let e = end;
  while (e > start && /\s/.test(text[e - 1] ?? "")) e--;
  return e;
}
