import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultConfig, formatProblem, validateConfigText } from "./index.js";

test("a minimal role gets every default filled in", () => {
  const { config, problems } = validateConfigText(
    '[[role]]\nname = "linux"\nlabels = ["self-hosted", "linux"]\n',
    "p.toml",
  );
  assert.deepEqual(problems, []);
  assert.equal(config?.role[0]?.backend, "auto");
  assert.equal(config?.role[0]?.capacity, 1);
  assert.equal(config?.runner.fetch_wait, 25_000);
});

test("every problem is reported with file, line and key path", () => {
  const text = '[[role]]\nname = "linux"\nlabels = ["a"]\nbackend = "dockr"\ncapcity = 2\n';
  const lines = validateConfigText(text, "pool.toml").problems.map(formatProblem);
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? "", /^pool\.toml:4:1: role\[0\] \(linux\)\.backend: /);
  assert.match(lines[1] ?? "", /^pool\.toml:5:1: .*"capcity".*remove or fix the spelling/);
});

test("a TOML syntax error names the line and column", () => {
  const [p] = validateConfigText("[[role]]\nname = \n", "bad.toml").problems;
  assert.equal(p?.file, "bad.toml");
  assert.equal(p?.line, 2);
  assert.equal(p?.keyPath, "(syntax)");
});

test("two roles with one name are rejected", () => {
  const text = '[[role]]\nname = "a"\nlabels = ["x"]\n[[role]]\nname = "a"\nlabels = ["y"]\n';
  const { problems } = validateConfigText(text, "p.toml");
  assert.match(problems[0]?.message ?? "", /already used by role\[0\]/);
});

test("the default pool is one linux role with capacity 2", () => {
  const sandbox = defaultConfig(true);
  assert.deepEqual(sandbox.role[0]?.labels, ["self-hosted", "linux"]);
  assert.equal(sandbox.role[0]?.backend, "sandbox");
  assert.equal(sandbox.role[0]?.capacity, 2);
  assert.equal(defaultConfig(false).role[0]?.backend, "host");
});
