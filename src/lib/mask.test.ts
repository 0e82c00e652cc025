import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { encodedForms, SecretMasker } from "./mask.js";

interface MaskCase {
  name: string;
  secrets: string[];
  text: string;
  masked: string;
}

const cases = JSON.parse(
  readFileSync(new URL("../../testdata/masking/cases.json", import.meta.url), "utf8"),
) as MaskCase[];

for (const c of cases) {
  test(`masking table: ${c.name}`, () => {
    const m = new SecretMasker();
    for (const s of c.secrets) m.add(s);
    assert.equal(m.mask(c.text), c.masked);
  });
}

test("a value with nothing to escape has only its base64 forms", () => {
  assert.deepEqual(encodedForms("plainvalue1"), ["cGxhaW52YWx1ZT", "bGFpbnZhbHVlM", "YWludmFsdWUx"]);
});

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
