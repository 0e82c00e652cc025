import assert from "node:assert/strict";
import { test } from "node:test";
import { createLogger, formatLogLine } from "./log.js";

test("the text logger writes one scannable line per record, never a JSON object", () => {
  const lines: string[] = [];
  const logger = createLogger({ level: "info", write: (l) => lines.push(l) });
  logger.warn(
    { role: "linux", instance: { name: "linux-1", state: "idle" }, err: new Error("forge went away") },
    "instance crashed",
  );
  assert.equal(lines.length, 1);
  const line = lines[0] ?? "";
  assert.match(line, /^\d{4}-\d\d-\d\dT\S+Z WARN {2}runnerpool: instance crashed /);
  assert.match(line, /role=linux instance\.name=linux-1 instance\.state=idle/);
  assert.match(line, /error="forge went away"/);
  assert.doesNotMatch(line, /[{}]/);
  assert.ok(line.endsWith("\n") && !line.slice(0, -1).includes("\n"));
});

test("the json logger keeps pino's records for machines", () => {
  const lines: string[] = [];
  createLogger({ level: "info", format: "json", write: (l) => lines.push(l) }).info({ n: 1 }, "hello");
  assert.equal((JSON.parse(lines[0] ?? "") as { msg: string; n: number }).msg, "hello");
});

test("a line that is not a record passes through as it is", () => {
  assert.equal(formatLogLine("plain text\n"), "plain text");
});
