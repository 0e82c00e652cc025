import assert from "node:assert/strict";
import { test } from "node:test";
import { auditWorkflow } from "./audit.js";
import { formatJson } from "./report-json.js";
import { formatSarif, SARIF_SCHEMA } from "./report-sarif.js";
import { formatText } from "./report-text.js";
import { ALL_RULES } from "./rules/all-rules.js";

const FILE = ".gitea/workflows/probe release.yml";
const TEXT = `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: rsync -a "$LOCAL_REPO/" .
      - run: sudo make
`;
const report = { files: [FILE], findings: auditWorkflow(FILE, TEXT) };

interface SarifLog {
  $schema: string;
  version: string;
  runs: Array<{
    tool: {
      driver: {
        name: string;
        version?: string;
        rules: Array<{ id: string; shortDescription: { text: string }; help: { text: string } }>;
      };
    };
    results: Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: Array<{
        physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } };
      }>;
    }>;
  }>;
}

test("SARIF output is a 2.1.0 log with the rule table and one result per finding", () => {
  const log = JSON.parse(formatSarif(report, { toolVersion: "0.1.0" })) as SarifLog;
  assert.equal(log.version, "2.1.0");
  assert.equal(log.$schema, SARIF_SCHEMA);
  assert.equal(log.runs.length, 1);
  const run = log.runs[0]!;
  assert.equal(run.tool.driver.name, "runnerpool");
  assert.equal(run.tool.driver.version, "0.1.0");
  const ids = run.tool.driver.rules.map((r) => r.id);
  assert.deepEqual(ids, ["yaml-syntax", ...ALL_RULES.map((r) => r.id)]);
  for (const r of run.tool.driver.rules) assert.ok(r.shortDescription.text && r.help.text, r.id);
  assert.equal(run.results.length, report.findings.length);
  for (const [i, f] of report.findings.entries()) {
    const r = run.results[i]!;
    assert.equal(r.ruleId, f.ruleId);
    assert.equal(ids[r.ruleIndex], f.ruleId);
    assert.ok(["error", "warning", "note"].includes(r.level));
    assert.equal(r.level, f.severity);
    assert.ok(r.message.text.startsWith(f.message));
    const loc = r.locations[0]!.physicalLocation;
    assert.equal(loc.artifactLocation.uri, ".gitea/workflows/probe%20release.yml");
    assert.deepEqual(loc.region, { startLine: f.line, startColumn: f.col });
  }
});

test("text output has one located line and one fix line per finding, then a summary", () => {
  const out = formatText(report).trimEnd().split("\n");
  assert.equal(out.length, report.findings.length * 2 + 1);
  assert.equal(out[0], `${FILE}:4:14 error unserved-label ${report.findings[0]?.message}`);
  assert.match(out[1] ?? "", /^ {2}fix: /);
  assert.match(out.at(-1) ?? "", /^\d+ errors?, \d+ warnings?, \d+ notes? in 1 workflow file$/);
});

test("JSON output lists files, findings and a summary by severity", () => {
  const doc = JSON.parse(formatJson(report)) as {
    files: string[];
    findings: unknown[];
    summary: Record<string, number>;
  };
  assert.deepEqual(doc.files, [FILE]);
  assert.equal(doc.findings.length, report.findings.length);
  assert.equal(doc.summary.error, report.findings.filter((f) => f.severity === "error").length);
});
