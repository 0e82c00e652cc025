import assert from "node:assert/strict";
import { test } from "node:test";
import { schemaCheckAvailable, schemaDiagnostics } from "./schema-check.js";

// Tests run under tsx, which loads the library's JSON imports; bin/runnerpool.js registers a hook too.
test("loads @actions/workflow-parser in the test process", async () => {
  assert.equal(await schemaCheckAvailable(), true);
});

test("reports GitHub schema problems as positioned warnings", async () => {
  const source = "on: push\njobs:\n  a:\n    runs-on: x\n    timeout-minutes: abc\n    steps:\n      - run: echo\n";
  const diagnostics = await schemaDiagnostics(source, "s.yml");
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.severity, d.file, d.line, d.col]),
    [["schema", "warning", "s.yml", 5, 22]],
  );
  assert.match(diagnostics[0]?.message ?? "", /Unexpected value 'abc'/);
});

test("finds nothing to report in a clean workflow", async () => {
  const source = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n";
  assert.deepEqual(await schemaDiagnostics(source, "ok.yml"), []);
});
