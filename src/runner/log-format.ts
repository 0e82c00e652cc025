import { toValidUtf8 } from "../lib/index.js";
import { MAX_ROW_BYTES } from "../protocol/index.js";

// Gitea cuts stored log lines at MAX_ROW_BYTES (MaxLineSize); we cut first so the marker survives.

const encoder = new TextEncoder();

/**
 * Turns one sink line into log rows: one row per display line (Gitea would store an embedded newline as
 * the two characters `\n`), each valid UTF-8 and at most `maxBytes` bytes.
 */
export function formatLogLine(line: string, maxBytes: number = MAX_ROW_BYTES): string[] {
  const parts = line.includes("\n") ? line.split(/\r?\n/) : [line];
  return parts.map((p) => capBytes(toValidUtf8(p), maxBytes));
}

function capBytes(s: string, maxBytes: number): string {
  // A UTF-16 unit never encodes to less than one byte, so short strings cannot exceed the cap.
  if (s.length * 3 <= maxBytes) return s;
  const total = Buffer.byteLength(s, "utf8");
  if (total <= maxBytes) return s;
  const marker = ` [row truncated, ${total} bytes]`;
  const room = Math.max(0, maxBytes - Buffer.byteLength(marker, "utf8"));
  // encodeInto writes whole characters only, so the cut never splits a code point.
  const { read } = encoder.encodeInto(s, new Uint8Array(room));
  return s.slice(0, read) + marker;
}
