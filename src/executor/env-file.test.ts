import assert from "node:assert/strict";
import { test } from "node:test";
import { parseEnvFile } from "./env-file.js";

test("reads name=value lines, keeping '=' inside values", () => {
  assert.deepEqual(parseEnvFile("A=1\nB=x=y\n\nC=\n").entries, [
    ["A", "1"],
    ["B", "x=y"],
    ["C", ""],
  ]);
});

test("reads heredocs whose bodies hold name=value lines and CRLF endings", () => {
  const r = parseEnvFile("M<<EOF\r\nline1\r\nx=y\r\nEOF\r\nN=2\r\n");
  assert.deepEqual(r.entries, [
    ["M", "line1\nx=y"],
    ["N", "2"],
  ]);
  assert.deepEqual(r.errors, []);
});

test("a value with '<<' after '=' is a plain value", () => {
  assert.deepEqual(parseEnvFile("A=b<<c\n").entries, [["A", "b<<c"]]);
});

test("reports an unterminated heredoc and lines without a name", () => {
  const r = parseEnvFile("=nameless\nX<<END\nnever closed\n");
  assert.equal(r.entries.length, 0);
  assert.equal(r.errors.length, 2);
  assert.match(r.errors[0] ?? "", /line 1: '=nameless'/);
  assert.match(r.errors[1] ?? "", /no closing 'END' for 'X'/);
});
