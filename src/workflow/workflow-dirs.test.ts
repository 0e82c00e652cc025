import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { after, describe, test } from "node:test";
import { findWorkflowFiles, type ListFiles, pickWorkflowFiles, WORKFLOW_DIRS } from "./workflow-dirs.js";

// Spec as data: each layout lists a repository's files (and empty directories) and the workflows
// every road must find in it: an in-memory listing, a working tree, and a git commit as a push sees it.
interface Layout {
  name: string;
  files: string[];
  dirs?: string[];
  workflows: string[];
}

const LAYOUTS: Layout[] = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../testdata/workflow-dirs/layouts.json"), "utf8"),
);
const signal = new AbortController().signal;
const scratch = mkdtempSync(join(tmpdir(), "workflow-dirs-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function inMemory(layout: Layout): ListFiles {
  return (dir) => layout.files.filter((f) => posix.dirname(f) === dir).map((f) => posix.basename(f));
}

function workingTree(layout: Layout, index: number): string {
  const root = join(scratch, `tree-${index}`);
  for (const d of layout.dirs ?? []) mkdirSync(join(root, d), { recursive: true });
  for (const f of layout.files) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), "on: push\n");
  }
  mkdirSync(root, { recursive: true });
  return root;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t",
    },
  });

/** The blobs of a committed tree, listed the way the push trigger lists them (`git ls-tree`). */
function committed(root: string): ListFiles {
  git(root, "init", "-q");
  git(root, "add", "-A");
  git(root, "commit", "-q", "--allow-empty", "-m", "layout");
  return (dir) =>
    git(root, "ls-tree", "-z", "HEAD", "--", `${dir}/`)
      .split("\0")
      .filter((entry) => entry.split("\t")[0]?.split(" ")[1] === "blob")
      .map((entry) => posix.basename(entry.slice(entry.indexOf("\t") + 1)));
}

describe("a repository's workflows", () => {
  test("are looked for in .gitea, .forgejo, then .github", () => {
    assert.deepEqual(WORKFLOW_DIRS, [".gitea/workflows", ".forgejo/workflows", ".github/workflows"]);
  });

  LAYOUTS.forEach((layout, i) => {
    test(`are found the same way in every source: ${layout.name}`, async () => {
      const root = workingTree(layout, i);
      assert.deepEqual(await pickWorkflowFiles(inMemory(layout)), layout.workflows, "listing");
      assert.deepEqual(await findWorkflowFiles(root, signal), layout.workflows, "working tree");
      assert.deepEqual(await pickWorkflowFiles(committed(root)), layout.workflows, "git commit");
    });
  });

  test("a link to a workflow file counts in a working tree, as its blob does in git", async () => {
    const root = join(scratch, "linked");
    mkdirSync(join(root, ".github/workflows"), { recursive: true });
    writeFileSync(join(root, "shared.yml"), "on: push\n");
    execFileSync("ln", ["-s", "../../shared.yml", join(root, ".github/workflows/ci.yml")]);
    assert.deepEqual(await findWorkflowFiles(root, signal), [".github/workflows/ci.yml"]);
    assert.deepEqual(await pickWorkflowFiles(committed(root)), [".github/workflows/ci.yml"]);
  });

  test("an aborted search lists nothing", async () => {
    const aborted = AbortSignal.abort();
    await assert.rejects(findWorkflowFiles(scratch, aborted), { name: "AbortError" });
  });
});
