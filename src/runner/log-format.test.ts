import assert from "node:assert/strict";
import { test } from "node:test";
import { isValidUtf8 } from "../lib/index.js";
import { MAX_ROW_BYTES } from "../protocol/index.js";
import { formatLogLine } from "./log-format.js";

test("a line with embedded newlines becomes one row per display line", () => {
  assert.deepEqual(formatLogLine("a\r\nb\nc"), ["a", "b", "c"]);
});

test("a row never exceeds 64 KiB of UTF-8 and says it was cut", () => {
  const [row] = formatLogLine("é".repeat(MAX_ROW_BYTES));
  assert.ok(row !== undefined);
  assert.ok(Buffer.byteLength(row) <= MAX_ROW_BYTES);
  assert.match(row, /\[row truncated, 131072 bytes\]$/);
});

test("cutting never splits a surrogate pair", () => {
  const [row] = formatLogLine("😀".repeat(40), 50);
  assert.ok(row !== undefined && isValidUtf8(row));
  assert.ok(Buffer.byteLength(row) <= 50);
});

test("unpaired surrogates are replaced so the row encodes to valid UTF-8", () => {
  const [row] = formatLogLine("bad \uD800 byte");
  assert.equal(row, "bad \uFFFD byte");
});
