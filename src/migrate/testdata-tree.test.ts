import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { parse as parseToml } from "smol-toml";
import { parseWorkflow as parseModelWorkflow } from "../workflow/index.js";
import { auditWorkflow } from "./audit.js";
import { discoverWorkflowFiles } from "./discover.js";
import { rewriteDirectory } from "./rewrite-directory.js";
import type { RoleLabels } from "./role-labels.js";

// The tree is spec as data: each workflow has <name>.audit.json (its findings with
// testdata/migrate/runnerpool.toml) and <name>.rewritten.yml (rewrite with that config).
// MIGRATE_UPDATE_EXPECTED=1 regenerates them; review the diff before committing.
const ROOT = join(import.meta.dirname, "../../testdata/migrate");
const REPO = join(ROOT, "repo");
const EXPECTED = join(ROOT, "expected");
const UPDATE = process.env.MIGRATE_UPDATE_EXPECTED === "1";
const signal = new AbortController().signal;

const roles = (parseToml(readFileSync(join(ROOT, "runnerpool.toml"), "utf8")).role as unknown as RoleLabels[]).map(
  (r) => ({
    name: r.name,
    labels: r.labels,
  }),
);

function expected(name: string, text: string): string {
  const path = join(EXPECTED, name);
  if (UPDATE) writeFileSync(path, text);
  return readFileSync(path, "utf8");
}

function stem(file: string): string {
  return basename(file).replace(/\.ya?ml$/, "");
}

describe("migrate test tree", () => {
  let work = "";
  before(() => {
    work = mkdtempSync(join(tmpdir(), "migrate-tree-"));
    cpSync(REPO, work, { recursive: true });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test("holds at least twelve workflows across the three forge directories", async () => {
    const files = await discoverWorkflowFiles(REPO, signal);
    assert.ok(files.length >= 12, `only ${files.length} workflows`);
    for (const dir of [".gitea/", ".github/", ".forgejo/"])
      assert.ok(
        files.some((f) => f.file.startsWith(dir)),
        dir,
      );
  });

  test("audits each workflow to exactly its expected findings", async () => {
    for (const f of await discoverWorkflowFiles(REPO, signal)) {
      const findings = auditWorkflow(f.file, readFileSync(f.path, "utf8"), { roles });
      const actual = `${JSON.stringify(findings, null, 2)}\n`;
      assert.equal(actual, expected(`${stem(f.file)}.audit.json`, actual), f.file);
    }
  });

  test("rewrites each workflow to exactly its expected bytes, the malformed one untouched", async () => {
    const results = await rewriteDirectory(work, { roles }, signal);
    const invalid = results.filter((r) => r.status === "invalid").map((r) => r.file);
    assert.deepEqual(invalid, [".gitea/workflows/broken-release.yml"]);
    for (const f of await discoverWorkflowFiles(work, signal)) {
      const actual = readFileSync(f.path, "utf8");
      assert.equal(actual, expected(`${stem(f.file)}.rewritten.yml`, actual), f.file);
    }
    const broken = join(".gitea/workflows/broken-release.yml");
    assert.equal(readFileSync(join(work, broken), "utf8"), readFileSync(join(REPO, broken), "utf8"));
  });

  test("a second rewrite of the rewritten tree changes nothing", async () => {
    const results = await rewriteDirectory(work, { roles }, signal);
    assert.deepEqual(
      results.filter((r) => r.status === "changed").map((r) => r.file),
      [],
    );
  });

  test("rewritten workflows parse with @actions/workflow-parser without errors", async () => {
    for (const f of await discoverWorkflowFiles(REPO, signal)) {
      const name = stem(f.file);
      if (name === "broken-release") continue;
      const content = readFileSync(join(EXPECTED, `${name}.rewritten.yml`), "utf8");
      const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
      assert.deepEqual(
        parsed.context.errors.getErrors().map((e) => e.message),
        [],
        name,
      );
    }
  });

  test("rewritten workflows parse with the workflow module's parseWorkflow without errors", async () => {
    for (const f of await discoverWorkflowFiles(REPO, signal)) {
      const name = stem(f.file);
      if (name === "broken-release") continue;
      const content = readFileSync(join(EXPECTED, `${name}.rewritten.yml`), "utf8");
      const { workflow, diagnostics } = parseModelWorkflow(content, f.file);
      assert.ok(workflow, name);
      assert.deepEqual(
        diagnostics.filter((d) => d.severity === "error"),
        [],
        name,
      );
    }
  });

  test("after the rewrite only the steps that need a hand keep LOCAL_REPO", async () => {
    const left: string[] = [];
    for (const f of await discoverWorkflowFiles(work, signal)) {
      const findings = auditWorkflow(f.file, readFileSync(f.path, "utf8"), { roles });
      for (const x of findings)
        if (x.ruleId === "local-repo-leftover" || x.ruleId === "rsync-checkout") left.push(x.file);
    }
    assert.deepEqual([...new Set(left)], [".gitea/workflows/distro-release.yml"]);
  });
});
