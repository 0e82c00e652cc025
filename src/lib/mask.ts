/** What a masked value becomes in a log line. */
export const MASK = "***";

/** Shorter base64 fragments than this are not masked: they would hide unrelated text. */
const MIN_BASE64_FRAGMENT = 6;

/**
 * Replaces registered secret values in text, and the forms a job is likely to print them in, the way
 * GitHub's runner does: each line of a multi-line value, base64 in the three byte alignments a value can
 * have inside a longer encoded text, JSON string escaping, and URI data escaping. Empty values are ignored.
 */
export class SecretMasker {
  readonly #values = new Set<string>();
  #pattern: RegExp | undefined;

  add(value: string): void {
    const lines = value.split(/\r?\n/).map((l) => l.replace(/\r$/, ""));
    for (const part of new Set([value, ...lines])) {
      if (part.trim() === "") continue;
      for (const form of [part, ...encodedForms(part)]) this.#register(form);
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

  #register(form: string): void {
    if (form.trim() === "" || this.#values.has(form)) return;
    this.#values.add(form);
    this.#pattern = undefined;
  }
}

/** The encodings of a value that differ from it: base64 (three alignments), JSON-escaped, URI-escaped. */
export function encodedForms(value: string): string[] {
  const forms = [
    ...[0, 1, 2].map((skip) => base64Fragment(value, skip)),
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    // .NET's Uri.EscapeDataString (RFC 3986) also escapes these, and other tools follow it.
    encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  ];
  return [...new Set(forms)].filter((f) => f !== value && f.length > 0);
}

/**
 * The base64 characters that encode `value` whatever surrounds it, when it starts `skip` bytes into a
 * 3-byte group's alignment: the first `skip` bytes share their characters with what comes before, and
 * the last character of a partial group depends on what follows, so both are left out.
 */
function base64Fragment(value: string, skip: number): string {
  const bytes = Buffer.from(value, "utf8").subarray(skip);
  const stable = Math.floor((bytes.length * 4) / 3);
  const fragment = bytes.toString("base64").slice(0, stable);
  return fragment.length >= MIN_BASE64_FRAGMENT ? fragment : "";
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
