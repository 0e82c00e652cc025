type Op = { kind: " " | "-" | "+"; line: string };

/** Lines with their terminators, so a missing final newline is a difference like any other. */
function splitLines(text: string): string[] {
  return text === "" ? [] : text.split(/(?<=\n)/);
}

/** Line edit script by longest common subsequence over the lines between common prefix and suffix. */
function diffLines(a: string[], b: string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const x = a.slice(pre, a.length - suf);
  const y = b.slice(pre, b.length - suf);
  const n = x.length;
  const m = y.length;
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] =
        x[i] === y[j]
          ? (lcs[(i + 1) * (m + 1) + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * (m + 1) + j] ?? 0, lcs[i * (m + 1) + j + 1] ?? 0);
    }
  }
  const ops: Op[] = a.slice(0, pre).map((line) => ({ kind: " ", line }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      ops.push({ kind: " ", line: x[i++] ?? "" });
      j++;
    } else if (j < m && (i === n || (lcs[i * (m + 1) + j + 1] ?? 0) >= (lcs[(i + 1) * (m + 1) + j] ?? 0))) {
      ops.push({ kind: "+", line: y[j++] ?? "" });
    } else {
      ops.push({ kind: "-", line: x[i++] ?? "" });
    }
  }
  for (const line of a.slice(a.length - suf)) ops.push({ kind: " ", line });
  // removals before additions inside a change reads like `diff -u`
  for (let k = 0; k < ops.length; k++) {
    let end = k;
    while (end < ops.length && ops[end]?.kind !== " ") end++;
    if (end > k) {
      const block = ops.slice(k, end);
      ops.splice(k, end - k, ...block.filter((o) => o.kind === "-"), ...block.filter((o) => o.kind === "+"));
      k = end;
    }
  }
  return ops;
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`;
}

/**
 * A unified diff (`--- a/file`, `+++ b/file`, `@@` hunks with `context` lines around each change),
 * or "" when the texts are equal.
 */
export function unifiedDiff(fromName: string, toName: string, before: string, after: string, context = 3): string {
  if (before === after) return "";
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = diffLines(a, b);
  const out = [`--- ${fromName}`, `+++ ${toName}`];
  const changed = ops.map((o, k) => (o.kind === " " ? -1 : k)).filter((k) => k >= 0);
  let h = 0;
  while (h < changed.length) {
    let first = changed[h] ?? 0;
    let last = first;
    while (h + 1 < changed.length && (changed[h + 1] ?? 0) - last <= 2 * context + 1) last = changed[++h] ?? last;
    h++;
    first = Math.max(0, first - context);
    last = Math.min(ops.length - 1, last + context);
    let aLine = 1;
    let bLine = 1;
    for (let k = 0; k < first; k++) {
      if (ops[k]?.kind !== "+") aLine++;
      if (ops[k]?.kind !== "-") bLine++;
    }
    const body: string[] = [];
    let aCount = 0;
    let bCount = 0;
    for (const o of ops.slice(first, last + 1)) {
      const terminated = o.line.endsWith("\n");
      body.push(`${o.kind}${terminated ? o.line.slice(0, -1) : o.line}`);
      if (!terminated) body.push("\\ No newline at end of file");
      if (o.kind !== "+") aCount++;
      if (o.kind !== "-") bCount++;
    }
    out.push(`@@ -${range(aLine, aCount)} +${range(bLine, bCount)} @@`, ...body);
  }
  return `${out.join("\n")}\n`;
}
