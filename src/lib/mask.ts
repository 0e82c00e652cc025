/** What a masked value becomes in a log line. */
export const MASK = "***";

/**
 * Replaces registered secret values in text. Logs are masked line by line, so a multi-line value is
 * registered as each of its lines too (GitHub does the same); empty values are ignored.
 */
export class SecretMasker {
  readonly #values = new Set<string>();
  #pattern: RegExp | undefined;

  add(value: string): void {
    for (const part of [value, ...value.split(/\r?\n/)]) {
      const v = part.trim() === "" ? "" : part.replace(/\r$/, "");
      if (v === "" || this.#values.has(v)) continue;
      this.#values.add(v);
      this.#pattern = undefined;
    }
  }

  get size(): number {
    return this.#values.size;
  }

  mask(text: string): string {
    if (this.#values.size === 0 || text === "") return text;
    if (this.#pattern === undefined) {
      // Longest first, so a secret that contains another is masked whole.
      const alternatives = [...this.#values].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.#pattern = new RegExp(alternatives.join("|"), "g");
    }
    return text.replace(this.#pattern, MASK);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
