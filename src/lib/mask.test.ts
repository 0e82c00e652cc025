import assert from "node:assert/strict";
import { test } from "node:test";
import { SecretMasker } from "./mask.js";

test("masks every occurrence of a registered value", () => {
  const m = new SecretMasker();
  m.add("hunter2");
  assert.equal(m.mask("pw=hunter2 again hunter2"), "pw=*** again ***");
});

test("masks each line of a multi-line value on its own", () => {
  const m = new SecretMasker();
  m.add("first-line\nsecond-line\r\n");
  assert.equal(m.mask("got second-line here"), "got *** here");
  assert.equal(m.mask("and first-line"), "and ***");
});

test("masks the longer of two overlapping values whole", () => {
  const m = new SecretMasker();
  m.add("abc");
  m.add("abcdef");
  assert.equal(m.mask("xabcdefx"), "x***x");
});

test("ignores empty and blank values", () => {
  const m = new SecretMasker();
  m.add("");
  m.add("   ");
  assert.equal(m.size, 0);
  assert.equal(m.mask("a b"), "a b");
});

test("treats regular-expression characters in a value literally", () => {
  const m = new SecretMasker();
  m.add("a.b*c$1");
  assert.equal(m.mask("xa.b*c$1y aXbbc"), "x***y aXbbc");
});
