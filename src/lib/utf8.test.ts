import assert from "node:assert/strict";
import { test } from "node:test";
import { isValidUtf8, toValidUtf8 } from "./utf8.js";

test("leaves well-formed text, including astral characters, unchanged", () => {
  const s = "héllo 😀 世界\u0000";
  assert.equal(toValidUtf8(s), s);
  assert.equal(isValidUtf8(s), true);
});

test("replaces a lone high surrogate with U+FFFD", () => {
  assert.equal(toValidUtf8("a\uD83Db"), "a\uFFFDb");
});

test("replaces a lone low surrogate with U+FFFD", () => {
  assert.equal(toValidUtf8("a\uDE00b"), "a\uFFFDb");
});

test("replaces surrogates at the ends and reversed pairs one by one", () => {
  assert.equal(toValidUtf8("\uDE00\uD83D"), "\uFFFD\uFFFD");
  assert.equal(toValidUtf8("x\uD83D"), "x\uFFFD");
});

test("keeps a valid pair next to a lone surrogate", () => {
  assert.equal(toValidUtf8("\uD83D\uD83D\uDE00"), "\uFFFD😀");
});

test("reports lone surrogates as invalid, repeatedly", () => {
  assert.equal(isValidUtf8("a\uD83D"), false);
  assert.equal(isValidUtf8("a\uD83D"), false);
});
