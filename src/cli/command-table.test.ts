import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { COMMANDS, usageLines } from "./command-table.js";

test("every command main.ts dispatches is in the command table, so help and completions know it", () => {
  const source = readFileSync(new URL("./main.ts", import.meta.url), "utf8");
  const dispatched = [...source.matchAll(/case "([a-z-]+)":/g)]
    .map((m) => m[1])
    .filter((c) => !["--version", "help", "--help", "-h"].includes(c ?? ""));
  assert.deepEqual(dispatched.sort(), COMMANDS.map((c) => c.name).sort());
});

test("help lists each command with its usage", () => {
  const help = usageLines();
  for (const c of COMMANDS) assert.match(help, new RegExp(`^ {2}runnerpool ${c.name}\\b`, "m"));
  assert.match(help, /^ {2}runnerpool runner +start /m, "a subcommand line names its command again");
  assert.match(help, /^ {24}\[--input K=V\]/m, "a continuation line is indented under the first");
});
