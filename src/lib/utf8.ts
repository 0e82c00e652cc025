// A JS string is UTF-16 and may hold unpaired surrogates; those have no UTF-8 encoding, and Go's protobuf
// decoder (Gitea) rejects a whole request whose string field is not valid UTF-8.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The string with every unpaired surrogate replaced by U+FFFD, so it encodes to valid UTF-8. */
export function toValidUtf8(s: string): string {
  // Log rows are hot; the check is a cheap scan and almost always passes.
  if (isValidUtf8(s)) return s;
  return s.replace(LONE_SURROGATE, "\uFFFD");
}

/** Whether the string encodes to valid UTF-8 (holds no unpaired surrogate). */
export function isValidUtf8(s: string): boolean {
  LONE_SURROGATE.lastIndex = 0;
  return !LONE_SURROGATE.test(s);
}
