import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDiagnostic } from "./diagnostic.js";
import type { Diagnostic } from "./model.js";

const at = (over: Partial<Diagnostic>): Diagnostic => ({
  code: "x",
  severity: "error",
  message: "jobs is missing",
  file: ".gitea/workflows/ci.yml",
  ...over,
});

test("a diagnostic prints as file:line:col: severity: message", () => {
  assert.equal(formatDiagnostic(at({ line: 3, col: 5 })), ".gitea/workflows/ci.yml:3:5: error: jobs is missing");
  assert.equal(
    formatDiagnostic(at({ line: 3, col: 5, severity: "warning" })),
    ".gitea/workflows/ci.yml:3:5: warning: jobs is missing",
  );
});

test("a diagnostic without a position prints only the file", () => {
  assert.equal(formatDiagnostic(at({})), ".gitea/workflows/ci.yml: error: jobs is missing");
  assert.equal(formatDiagnostic(at({ line: 3 })), ".gitea/workflows/ci.yml:3: error: jobs is missing");
});

test("the severity can be left out where only errors are listed", () => {
  assert.equal(
    formatDiagnostic(at({ line: 3, col: 5 }), { severity: false }),
    ".gitea/workflows/ci.yml:3:5: jobs is missing",
  );
  assert.equal(formatDiagnostic(at({}), { severity: false }), ".gitea/workflows/ci.yml: jobs is missing");
});
