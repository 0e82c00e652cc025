import assert from "node:assert/strict";
import { test } from "node:test";
import { isPoolError } from "../lib/index.js";
import { parseDotenv, secretsFromEnv } from "./secret-input.js";

test("a dotenv secret file: plain, exported, quoted, escaped and multi-line values; comments", () => {
  const text = [
    "# deploy",
    "PLAIN=abc # a comment",
    "export EXPORTED=def",
    'DOUBLE="x y\\n\\"z\\""',
    "SINGLE='a\\nb'",
    'KEY="-----BEGIN-----',
    "body",
    '-----END-----"',
    "EMPTY=",
    "",
  ].join("\n");
  assert.deepEqual(parseDotenv(text, "s.env"), {
    PLAIN: "abc",
    EXPORTED: "def",
    DOUBLE: 'x y\n"z"',
    SINGLE: "a\\nb",
    KEY: "-----BEGIN-----\nbody\n-----END-----",
    EMPTY: "",
  });
});

test("a bad dotenv line names the file and line", () => {
  assert.throws(() => parseDotenv("A=1\nnot a pair\n", "s.env"), /s\.env:2: expected NAME=value/);
  assert.throws(() => parseDotenv('A="open\n', "s.env"), /s\.env:1: A has no closing "/);
});

test("--secret NAME takes the value from the environment; NAME=value and a missing variable are refused", () => {
  assert.deepEqual(secretsFromEnv(["A"], { A: "v" }), { A: "v" });
  assert.throws(
    () => secretsFromEnv(["A=v"], {}),
    (e) => isPoolError(e, "INVALID_ARGUMENT") && /export A and pass --secret A/.test(e.message),
  );
  assert.throws(() => secretsFromEnv(["B"], {}), /the environment has no B/);
});
