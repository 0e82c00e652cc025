/** One shell command line as the shell sees it: `\`-continued lines joined, comments left out. */
export interface ShellLine {
  /** Joined text, continuations replaced by a space, trimmed. */
  text: string;
  /** Index in the script of the line's first non-blank character. */
  start: number;
  /** [index in text, index in script] for each physical line, to map positions back. */
  segments: Array<[number, number]>;
}

/** One command of a line, split at `&&`, `||`, `;` and `|` outside quotes. */
export interface ShellCommand {
  text: string;
  /** Index of the command's first character in the script. */
  start: number;
  words: string[];
  /** Script index of the command's character `i` (continuations make this more than start + i). */
  indexOf(i: number): number;
}

/**
 * Splits a `run:` script into logical lines. Deliberately simple (no heredocs or quoting across
 * lines): the rules look for commands like rsync, sudo or apt-get, which sit on their own lines.
 */
export function shellLines(script: string): ShellLine[] {
  const out: ShellLine[] = [];
  let offset = 0;
  let current: ShellLine | undefined;
  for (const raw of script.split("\n")) {
    const lineStart = offset;
    offset += raw.length + 1;
    const line = raw.replace(/\r$/, "");
    const trimmed = line.trim();
    if (current === undefined && (trimmed === "" || trimmed.startsWith("#"))) continue;
    const first = lineStart + (line.length - line.trimStart().length);
    current ??= { text: "", start: first, segments: [] };
    const continued = /(^|[^\\])\\$/.test(trimmed);
    const part = continued ? trimmed.slice(0, -1).trimEnd() : trimmed;
    if (current.text !== "") current.text += " ";
    current.segments.push([current.text.length, first]);
    current.text += part;
    if (!continued) {
      out.push(current);
      current = undefined;
    }
  }
  if (current !== undefined) out.push(current);
  return out;
}

/** Maps an index in a logical line's joined text back to an index in the script. */
function scriptIndex(line: ShellLine, textIndex: number): number {
  let best: [number, number] = line.segments[0] ?? [0, line.start];
  for (const seg of line.segments) if (seg[0] <= textIndex) best = seg;
  return best[1] + (textIndex - best[0]);
}

/** Splits a command line into words, honouring simple single and double quotes. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let quote: '"' | "'" | undefined;
  let inWord = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** The commands of a logical line, split at control operators outside quotes. */
export function shellCommands(line: ShellLine): ShellCommand[] {
  const out: ShellCommand[] = [];
  const text = line.text;
  let quote: string | undefined;
  let from = 0;
  const push = (end: number) => {
    const raw = text.slice(from, end);
    const lead = raw.length - raw.trimStart().length;
    const cmd = raw.trim();
    const base = from + lead;
    if (cmd !== "") {
      out.push({
        text: cmd,
        start: scriptIndex(line, base),
        words: shellWords(cmd),
        indexOf: (i) => scriptIndex(line, base + i),
      });
    }
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === ";" || ch === "|" || (ch === "&" && text[i + 1] === "&")) {
      push(i);
      const width = (ch === "|" && text[i + 1] === "|") || ch === "&" ? 2 : 1;
      i += width - 1;
      from = i + 1;
    }
  }
  push(text.length);
  return out;
}
