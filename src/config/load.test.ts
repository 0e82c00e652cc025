import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
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

test("a bad pool gives every problem with its key path: unknown key, wrong type, duplicate role, label collision", () => {
  const text = [
    "[[role]]",
    'name = "linux"',
    'labels = ["self-hosted", "linux"]',
    "capacity = 2",
    "[[role]]",
    'name = "linux"',
    'labels = ["self-hosted", "linux"]',
    "",
  ].join("\n");
  const lines = validateConfigText(text, "p.toml").problems.map(formatProblem);
  assert.equal(lines.length, 2, lines.join("\n"));
  assert.match(lines[0] ?? "", /^p\.toml:6:1: role\[1\] \(linux\)\.name: .*already used by role\[0\]/);
  assert.match(lines[1] ?? "", /^p\.toml:7:1: role\[1\] \(linux\)\.labels: label collision/);
  const typed = validateConfigText('[[role]]\nname = "a"\nlabels = ["x"]\ncapacity = "two"\nsecret = 1\n', "t.toml");
  const typedLines = typed.problems.map(formatProblem);
  assert.equal(typedLines.length, 2, typedLines.join("\n"));
  assert.ok(typedLines.some((l) => /^t\.toml:4:1: role\[0\] \(a\)\.capacity: /.test(l)));
  assert.ok(typedLines.some((l) => /"secret".*remove or fix the spelling/.test(l)));
});

test("a privileged role without allowed_refs is rejected (fail closed)", () => {
  const text = '[[role]]\nname = "iso"\nlabels = ["self-hosted", "iso"]\nprivileged = true\n';
  const [p] = validateConfigText(text, "p.toml").problems;
  assert.equal(p?.keyPath, "role[0] (iso).allowed_refs");
  assert.match(p?.message ?? "", /must list the refs/);
});

test("a privileged role whose every label another role has is rejected: no job could name it alone", () => {
  const text = [
    "[[role]]",
    'name = "iso"',
    'labels = ["self-hosted", "iso"]',
    "privileged = true",
    'allowed_refs = ["refs/tags/v*"]',
    "[[role]]",
    'name = "linux"',
    'labels = ["self-hosted", "linux", "iso"]',
    "",
  ].join("\n");
  const [p, ...more] = validateConfigText(text, "p.toml").problems;
  assert.deepEqual(more, []);
  assert.equal(p?.keyPath, "role[0] (iso).labels");
  assert.equal(p?.line, 3);
  assert.match(p?.message ?? "", /a privileged role needs a label no other role has.*also on "linux"/);
});

test("a non-privileged role with fewer labels than the privileged role is fine", () => {
  const text = [
    "[[role]]",
    'name = "iso"',
    'labels = ["self-hosted", "iso"]',
    "privileged = true",
    'allowed_refs = ["refs/heads/main"]',
    "[[role]]",
    'name = "linux"',
    'labels = ["self-hosted", "linux"]',
    "",
  ].join("\n");
  assert.deepEqual(validateConfigText(text, "p.toml").problems, []);
});

test("durations, sizes, instances and ref patterns are parsed or reported by key path", () => {
  const ok = validateConfigText(
    '[[role]]\nname = "a"\nlabels = ["x"]\nidle_timeout = "1h30m"\nlimits = { memory = "2GB", cpu = 1.5, pids = 100 }\ninstances = { min = 0, max = 3 }\n',
    "p.toml",
  );
  assert.deepEqual(ok.problems, []);
  assert.equal(ok.config?.role[0]?.idle_timeout, 5_400_000);
  assert.equal(ok.config?.role[0]?.limits.memory, 2 * 1024 ** 3);
  assert.deepEqual(ok.config?.role[0]?.instances, { min: 0, max: 3 });
  const bad = validateConfigText(
    '[[role]]\nname = "a"\nlabels = ["x"]\nidle_timeout = "ten minutes"\nlimits = { memory = "lots" }\ninstances = { min = 3, max = 1 }\nallowed_refs = ["main", "refs/tags/[v"]\n',
    "p.toml",
  );
  const paths = bad.problems.map((p) => p.keyPath).sort();
  assert.deepEqual(paths, [
    "role[0] (a).allowed_refs[0]",
    "role[0] (a).allowed_refs[1]",
    "role[0] (a).idle_timeout",
    "role[0] (a).instances",
    "role[0] (a).limits.memory",
  ]);
});

test("a container backend without an image is rejected", () => {
  const [p] = validateConfigText('[[role]]\nname = "a"\nlabels = ["x"]\nbackend = "docker"\n', "p.toml").problems;
  assert.equal(p?.keyPath, "role[0] (a).backend");
  assert.match(p?.message ?? "", /needs an image/);
});

test("the [git] table is validated and passed through", () => {
  const { config, problems } = validateConfigText(
    '[git]\ndepth = 0\nfilter = "blob:none"\nsubmodules = "recursive"\nrewrite = { "https://a/" = "http://127.0.0.1:3000/" }\nhost_header = "a"\n[[role]]\nname = "a"\nlabels = ["x"]\n',
    "p.toml",
  );
  assert.deepEqual(problems, []);
  assert.equal(config?.git.depth, 0);
  assert.equal(config?.git.submodules, "recursive");
  assert.equal(config?.git.mirror_cache, true);
  assert.deepEqual(config?.git.rewrite, { "https://a/": "http://127.0.0.1:3000/" });
});

test("examples/koder-pool.toml is a valid pool with the design document's six roles", () => {
  const file = new URL("../../examples/koder-pool.toml", import.meta.url);
  const { config, problems } = validateConfigText(readFileSync(file, "utf8"), "koder-pool.toml");
  assert.deepEqual(problems.map(formatProblem), []);
  assert.deepEqual(
    config?.role.map((r) => r.name),
    ["linux", "android", "flutter-web", "iso", "deploy", "audit"],
  );
  const iso = config?.role.find((r) => r.name === "iso");
  assert.equal(iso?.privileged, true);
  assert.equal(iso?.backend, "host");
  assert.ok((iso?.allowed_refs.length ?? 0) > 0);
  assert.ok(config?.role.find((r) => r.name === "deploy")?.secrets_dir);
});

test("a container provider needs an image and cannot carry a ref policy or secrets", () => {
  const text =
    '[[role]]\nname = "iso"\nlabels = ["iso"]\nprovider = "docker"\nprivileged = true\nallowed_refs = ["refs/tags/*"]\n';
  const paths = validateConfigText(text, "p.toml").problems.map((p) => `${p.keyPath}: ${p.message}`);
  assert.equal(paths.length, 2, paths.join("\n"));
  assert.ok(paths.every((p) => p.startsWith("role[0] (iso).provider: ")));
  assert.ok(paths.some((p) => /needs an image/.test(p)));
  assert.ok(paths.some((p) => /cannot enforce privileged/.test(p)));
});

const pool = (...roles: string[][]) => roles.map((r) => ["[[role]]", ...r].join("\n")).join("\n\n");

test("policy errors of guarded roles, each with its key path", () => {
  const cases: { name: string; text: string; keyPath: string; message: RegExp }[] = [
    {
      name: "secrets without allowed_refs",
      text: pool(['name = "deploy"', 'labels = ["deploy"]', 'secrets_dir = "."']),
      keyPath: "role[0] (deploy).allowed_refs",
      message: /secrets_dir must say which refs.*allowed_refs = "any"/,
    },
    {
      name: "a secret-holding role without an exclusive label",
      text: pool(
        ['name = "linux"', 'labels = ["self-hosted", "deploy"]'],
        ['name = "deploy"', 'labels = ["deploy"]', 'secrets_dir = "."', 'allowed_refs = "any"'],
      ),
      keyPath: "role[1] (deploy).labels",
      message: /a role with secrets_dir needs a label no other role has.*also on "linux"/,
    },
    {
      name: "a privileged role with any ref",
      text: pool(['name = "iso"', 'labels = ["iso"]', "privileged = true", 'allowed_refs = "any"']),
      keyPath: "role[0] (iso).allowed_refs",
      message: /privileged role must list the refs/,
    },
    {
      name: "a secrets_dir that does not exist",
      text: pool(['name = "deploy"', 'labels = ["deploy"]', 'secrets_dir = "no-such-dir"', 'allowed_refs = "any"']),
      keyPath: "role[0] (deploy).secrets_dir",
      message: /no-such-dir" is not a directory/,
    },
  ];
  for (const c of cases) {
    const { config, problems } = validateConfigText(c.text, "p.toml", { baseDir: process.cwd() });
    assert.equal(config, undefined, c.name);
    assert.deepEqual(
      problems.map((p) => p.keyPath),
      [c.keyPath],
      `${c.name}: ${problems.map(formatProblem).join("; ")}`,
    );
    assert.match(problems[0]?.message ?? "", c.message, c.name);
  }
});

test('allowed_refs = "any" lets a secret-holding role with a label of its own run every ref', () => {
  const text = pool(
    ['name = "linux"', 'labels = ["self-hosted", "linux"]'],
    ['name = "deploy"', 'labels = ["self-hosted", "deploy"]', 'secrets_dir = "."', 'allowed_refs = "any"'],
  );
  const { config, problems } = validateConfigText(text, "p.toml", { baseDir: process.cwd() });
  assert.deepEqual(problems.map(formatProblem), []);
  assert.equal(config?.role[1]?.allowed_refs, "any");
});

test("schema and policy errors of one file are reported together", () => {
  const text = pool(
    ['name = "linux"', 'labels = ["self-hosted", "linux"]', 'capacity = "two"'],
    ['name = "iso"', 'labels = ["self-hosted", "linux"]', "privileged = true"],
  );
  const lines = validateConfigText(text, "p.toml").problems.map(formatProblem);
  assert.equal(lines.length, 4, lines.join("\n"));
  assert.match(lines[0] ?? "", /^p\.toml:4:1: role\[0\] \(linux\)\.capacity: /);
  assert.ok(lines.some((l) => /role\[1\] \(iso\)\.allowed_refs: a privileged role must list/.test(l)));
  assert.ok(lines.some((l) => /role\[1\] \(iso\)\.labels: label collision/.test(l)));
  assert.ok(lines.some((l) => /role\[1\] \(iso\)\.labels: a privileged role needs a label no other role has/.test(l)));
});

test("the README's documented pools and examples/hello validate", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const pools = [...readme.matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  assert.ok(pools.length > 0);
  pools.push(readFileSync(new URL("../../examples/hello/runnerpool.toml", import.meta.url), "utf8"));
  for (const text of pools) {
    if (!text.includes("[[role]]")) continue;
    assert.deepEqual(validateConfigText(text, "README.md").problems.map(formatProblem), [], text);
  }
});
