import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { Diagnostic, Position } from "./model.js";

/**
 * A decoded YAML document plus the node positions, so diagnostics can point at a line and column.
 * Values are read from the decoded JS (merge keys and aliases resolved); nodes serve only positions.
 */
export class YamlSource {
  readonly doc: Document;
  readonly value: unknown;
  readonly syntaxErrors: Diagnostic[];
  private readonly lines: LineCounter;

  constructor(
    source: string,
    readonly file: string,
  ) {
    this.lines = new LineCounter();
    // merge: go-yaml (Gitea's decoder) honours `<<` merge keys, YAML 1.2 does not by default.
    this.doc = parseDocument(source, { lineCounter: this.lines, prettyErrors: true, merge: true, uniqueKeys: true });
    this.syntaxErrors = this.doc.errors.map((e) => {
      const at = e.linePos?.[0];
      return {
        code: "yaml-syntax",
        severity: "error" as const,
        message: `invalid YAML: ${firstLine(e.message)}`,
        file,
        ...(at ? { line: at.line, col: at.col } : {}),
      };
    });
    this.value = this.syntaxErrors.length > 0 ? undefined : this.doc.toJS({ maxAliasCount: 1000 });
  }

  /** The node at a path of keys/indices from the root, or undefined (aliases followed). */
  node(path: readonly (string | number)[]): Node | undefined {
    let cur: unknown = this.doc.contents;
    for (const key of path) {
      cur = this.resolve(cur);
      if (isMap(cur)) {
        const pair = cur.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
        cur = pair?.value;
      } else if (isSeq(cur) && typeof key === "number") {
        cur = cur.items[key];
      } else {
        return undefined;
      }
    }
    const node = this.resolve(cur);
    return node as Node | undefined;
  }

  /** The key node of a mapping entry (where `jobs.build:` is written). */
  keyNode(path: readonly (string | number)[], key: string): Node | undefined {
    const map = this.node(path);
    if (!isMap(map)) return undefined;
    const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
    return pair && isScalar(pair.key) ? pair.key : undefined;
  }

  position(node: Node | undefined | null): Position | undefined {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = this.lines.linePos(offset);
    return { line, col };
  }

  /** Position of the first of the paths that exists. */
  positionOf(...paths: (readonly (string | number)[])[]): Position | undefined {
    for (const p of paths) {
      const pos = this.position(this.node(p));
      if (pos) return pos;
    }
    return undefined;
  }

  private resolve(n: unknown): unknown {
    return isAlias(n) ? n.resolve(this.doc) : n;
  }
}

function firstLine(message: string): string {
  const line = message.split("\n")[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, "");
}
