import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveShell, shellArgv, splitArgs } from "./shell.js";

test("builds GitHub's argv for the known shells", () => {
  assert.deepEqual(shellArgv(resolveShell("bash", true), "/t/s.sh"), [
    "bash",
    "--noprofile",
    "--norc",
    "-eo",
    "pipefail",
    "/t/s.sh",
  ]);
  assert.deepEqual(shellArgv(resolveShell("sh", true), "/t/s.sh"), ["sh", "-e", "/t/s.sh"]);
  assert.equal(resolveShell("python", true).extension, ".py");
});

test("defaults to bash -e, or sh -e without bash", () => {
  assert.deepEqual(resolveShell(undefined, true).template, ["bash", "-e", "{0}"]);
  assert.deepEqual(resolveShell("  ", false).template, ["sh", "-e", "{0}"]);
});

test("custom templates substitute {0} or get the script appended", () => {
  assert.deepEqual(shellArgv(resolveShell("perl -w {0}", true), "/s"), ["perl", "-w", "/s"]);
  assert.deepEqual(shellArgv(resolveShell("node", true), "/s"), ["node", "/s"]);
});

test("custom templates keep quoted arguments together", () => {
  assert.deepEqual(shellArgv(resolveShell(`sh -c "echo a; . {0}"`, true), "/s"), ["sh", "-c", "echo a; . /s"]);
  assert.deepEqual(splitArgs(`a 'b c' d"e f"g "h\\"i"`), ["a", "b c", "de fg", 'h"i']);
});
