import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { TriggerEvent, Workflow } from "./model.js";
import { parseWorkflow } from "./parse.js";
import { workflowTriggers } from "./triggers.js";

function workflowOn(on: string): Workflow {
  const r = parseWorkflow(`on:${on}\njobs:\n  a:\n    runs-on: x\n    steps: [{ run: "true" }]\n`, "t.yml");
  assert.ok(r.workflow);
  assert.deepEqual(
    r.diagnostics.filter((d) => d.severity === "error"),
    [],
  );
  return r.workflow;
}

function push(ref: string, changedFiles?: string[]): TriggerEvent {
  return { name: "push", ref, sha: "0".repeat(40), ...(changedFiles ? { changedFiles } : {}) };
}

const main = "refs/heads/main";
const dev = "refs/heads/dev";
const tag = "refs/tags/v1.2.0";

// [on: (YAML after 'on:'), event, expected]
const table: [string, string, TriggerEvent, boolean][] = [
  ["bare push runs for a branch", " push", push(dev), true],
  ["bare push runs for a tag", " push", push(tag), true],
  ["empty push filter runs for anything", "\n  push: {}", push(tag), true],
  ["branches filter matches", "\n  push:\n    branches: [main]", push(main), true],
  ["branches filter rejects other branches", "\n  push:\n    branches: [main]", push(dev), false],
  ["only a branches filter: tags do not run", "\n  push:\n    branches: [main]", push(tag), false],
  ["branches filter as a single string", "\n  push:\n    branches: main", push(main), true],
  ["tags filter matches", "\n  push:\n    tags: ['v*']", push(tag), true],
  ["only a tags filter: branches do not run", "\n  push:\n    tags: ['v*']", push(main), false],
  [
    "branches and tags: a branch is checked against branches",
    "\n  push:\n    branches: [main]\n    tags: ['v*']",
    push(main),
    true,
  ],
  [
    "branches and tags: a tag is checked against tags",
    "\n  push:\n    branches: [main]\n    tags: ['v*']",
    push(tag),
    true,
  ],
  [
    "branches and tags: an unlisted branch does not run",
    "\n  push:\n    branches: [main]\n    tags: ['v*']",
    push(dev),
    false,
  ],
  ["branches-ignore skips a listed branch", "\n  push:\n    branches-ignore: [dev]", push(dev), false],
  ["branches-ignore runs for other branches", "\n  push:\n    branches-ignore: [dev]", push(main), true],
  ["branches-ignore alone does not run for tags", "\n  push:\n    branches-ignore: [dev]", push(tag), false],
  ["tags-ignore skips a listed tag", "\n  push:\n    tags-ignore: ['v1.*']", push(tag), false],
  [
    "negated branch pattern excludes",
    "\n  push:\n    branches: ['releases/**', '!releases/**-alpha']",
    push("refs/heads/releases/beta/3-alpha"),
    false,
  ],
  [
    "negated branch pattern keeps the rest",
    "\n  push:\n    branches: ['releases/**', '!releases/**-alpha']",
    push("refs/heads/releases/10"),
    true,
  ],
  ["paths: no matching file does not run", "\n  push:\n    paths: ['**.js']", push(main, ["README.md"]), false],
  ["paths: one matching file runs", "\n  push:\n    paths: ['**.js']", push(main, ["README.md", "src/a.js"]), true],
  ["paths: unknown changes pass", "\n  push:\n    paths: ['**.js']", push(main), true],
  ["paths: no changed files does not run", "\n  push:\n    paths: ['**.js']", push(main, []), false],
  ["paths are not evaluated for tags", "\n  push:\n    paths: ['**.js']", push(tag, ["README.md"]), true],
  ["paths with negation", "\n  push:\n    paths: ['sub/**', '!sub/manual/**']", push(main, ["sub/manual/x.md"]), false],
  [
    "paths-ignore: only ignored files does not run",
    "\n  push:\n    paths-ignore: ['docs/**']",
    push(main, ["docs/a.md"]),
    false,
  ],
  [
    "paths-ignore: one other file runs",
    "\n  push:\n    paths-ignore: ['docs/**']",
    push(main, ["docs/a.md", "src/a.ts"]),
    true,
  ],
  [
    "branch filter and paths must both pass",
    "\n  push:\n    branches: [main]\n    paths: ['src/**']",
    push(dev, ["src/a"]),
    false,
  ],
  ["a workflow without push does not run on push", " workflow_dispatch", push(main), false],
  [
    "workflow_dispatch runs when listed",
    " [push, workflow_dispatch]",
    { name: "workflow_dispatch", ref: main, sha: "" },
    true,
  ],
  ["workflow_dispatch does not run when not listed", " push", { name: "workflow_dispatch", ref: main, sha: "" }, false],
];

describe("workflowTriggers", () => {
  for (const [name, on, event, want] of table) {
    test(name, () => {
      assert.equal(workflowTriggers(workflowOn(on), event), want);
    });
  }
});
