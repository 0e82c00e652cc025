import assert from "node:assert/strict";
import { test } from "node:test";
import { LineBuffer } from "./line-buffer.js";

test("joins pieces of a line until its newline and strips CR", () => {
  const lines: string[] = [];
  const b = new LineBuffer((l) => lines.push(l));
  b.push(Buffer.from("sec"));
  assert.deepEqual(lines, []);
  b.push(Buffer.from("ret\r\nnext\n\nlast"));
  assert.deepEqual(lines, ["secret", "next", ""]);
  b.flush();
  assert.deepEqual(lines, ["secret", "next", "", "last"]);
});

test("keeps a multi-byte character split across chunks intact", () => {
  const lines: string[] = [];
  const b = new LineBuffer((l) => lines.push(l));
  const bytes = Buffer.from("é€\n");
  b.push(bytes.subarray(0, 1));
  b.push(bytes.subarray(1, 4));
  b.push(bytes.subarray(4));
  assert.deepEqual(lines, ["é€"]);
});

test("flush emits nothing when no partial line is pending", () => {
  const lines: string[] = [];
  const b = new LineBuffer((l) => lines.push(l));
  b.push(Buffer.from("a\n"));
  b.flush();
  assert.deepEqual(lines, ["a"]);
});
