const NEWLINE = 0x0a;
/** A line longer than this is passed on in pieces rather than held without bound. */
const MAX_LINE_BYTES = 1024 * 1024;

/**
 * Cuts a byte stream into lines. A partial line waits for its newline (or `flush` at process end),
 * so a value written in two pieces is still seen whole by masking. Splitting bytes before decoding
 * keeps multi-byte characters intact.
 */
export class LineBuffer {
  readonly #onLine: (line: string) => void;
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  constructor(onLine: (line: string) => void) {
    this.#onLine = onLine;
  }

  push(chunk: Buffer): void {
    let start = 0;
    let nl = chunk.indexOf(NEWLINE, start);
    while (nl >= 0) {
      this.#append(chunk.subarray(start, nl));
      this.#emit();
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) this.#append(chunk.subarray(start));
    if (this.#pendingBytes > MAX_LINE_BYTES) this.#emit();
  }

  /** Emits what is left without a newline. */
  flush(): void {
    if (this.#pendingBytes > 0) this.#emit();
  }

  #append(part: Buffer): void {
    if (part.length === 0) return;
    this.#pending.push(Buffer.from(part));
    this.#pendingBytes += part.length;
  }

  #emit(): void {
    let line = Buffer.concat(this.#pending).toString("utf8");
    this.#pending = [];
    this.#pendingBytes = 0;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    this.#onLine(line);
  }
}
