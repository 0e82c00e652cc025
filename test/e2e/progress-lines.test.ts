import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "rp-progress-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// v1 and v2 of a migration: the same job names in two runs at once.
const WORKFLOW = (word: string) =>
  `on: push\njobs:\n  build:\n    runs-on: [self-hosted, linux]\n    steps:\n      - run: echo ${word}\n`;

function repo(): string {
  const r = join(dir, "repo");
  mkdirSync(join(r, ".gitea/workflows"), { recursive: true });
  writeFileSync(join(r, ".gitea/workflows/ci.yml"), WORKFLOW("one"));
  writeFileSync(join(r, ".gitea/workflows/ci-v2.yml"), WORKFLOW("two"));
  writeFileSync(
    join(r, "runnerpool.toml"),
    '[[role]]\nname = "linux"\nlabels = ["self-hosted", "linux"]\nbackend = "host"\ncapacity = 2\n',
  );
  return r;
}

test("two runs with the same job names print lines a person can tell apart, and no raw JSON", async () => {
  // Info-level daemon logs on: they must come out as text lines too.
  const r = await runCli(["run", repo()], { timeoutMs: 90_000, env: { RUNNERPOOL_LOG_LEVEL: "info" } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const lines = `${r.stdout}${r.stderr}`.split("\n").filter((l) => l !== "");
  assert.deepEqual(
    lines.filter((l) => /^\s*[{[]"/.test(l) || l.trimStart().startsWith("{")),
    [],
    "no line is a JSON object",
  );
  const runs = new Set(lines.flatMap((l) => /^\[run (\d+) build\] /.exec(l)?.[1] ?? []));
  assert.equal(runs.size, 2, r.stdout);
  for (const id of runs) {
    assert.ok(
      lines.some((l) => new RegExp(`^\\[run ${id} build\\] ✓ job success`).test(l)),
      `run ${id} finished`,
    );
  }
  assert.ok(
    r.stderr.split("\n").some((l) => /^\S+Z INFO {2}runnerpool: /.test(l)),
    `daemon log lines are text:\n${r.stderr}`,
  );
});
