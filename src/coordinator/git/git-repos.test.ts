import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { isPoolError } from "../../lib/index.js";
import { bareRepoPath, changedPaths, createBareRepo, importWorkingTree } from "./git-repos.js";

const exec = promisify(execFile);
const signal = new AbortController().signal;
const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.test",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.test",
};
let dir = "";

async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await exec("git", args, { cwd, env: gitEnv })).stdout.trim();
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "git-repos-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("creates a bare repository with the settings partial clones and http push need", async () => {
  const path = await createBareRepo(join(dir, "repos"), "acme", "widgets", signal);
  assert.equal(path, join(dir, "repos", "acme", "widgets.git"));
  assert.equal(await git(path, "rev-parse", "--is-bare-repository"), "true");
  assert.equal(await git(path, "config", "uploadpack.allowFilter"), "true");
  assert.equal(await git(path, "config", "uploadpack.allowAnySHA1InWant"), "true");
  assert.equal(await git(path, "config", "http.receivepack"), "true");
  assert.equal(await createBareRepo(join(dir, "repos"), "acme", "widgets", signal), path);
});

test("refuses names that could leave the repositories directory", () => {
  for (const [owner, name] of [
    ["..", "x"],
    ["acme", ".."],
    ["acme", "a/b"],
    ["acme", "x.git"],
  ] as const) {
    assert.throws(
      () => bareRepoPath(dir, owner, name),
      (err) => isPoolError(err, "INVALID_ARGUMENT"),
    );
  }
});

test("imports every branch and tag of a local repository and takes over its checked-out branch", async () => {
  const src = join(dir, "src");
  await git(dir, "init", "-q", "-b", "trunk", src);
  await writeFile(join(src, "f"), "1\n");
  await git(src, "add", ".");
  await git(src, "commit", "-q", "-m", "one");
  await git(src, "tag", "-a", "v1", "-m", "v1");
  await git(src, "branch", "feature");
  await writeFile(join(src, "dirty"), "not committed\n");
  const { path, head } = await importWorkingTree(src, join(dir, "repos"), "acme", "imported", signal);
  assert.equal(head, "refs/heads/trunk");
  assert.equal(await git(path, "symbolic-ref", "HEAD"), "refs/heads/trunk");
  const refs = await git(path, "for-each-ref", "--format=%(refname)");
  assert.deepEqual(refs.split("\n"), ["refs/heads/feature", "refs/heads/trunk", "refs/tags/v1"]);
  assert.equal(await git(path, "rev-parse", "trunk"), await git(src, "rev-parse", "trunk"));
});

test("importing a repository without commits leaves an empty served repository", async () => {
  const src = join(dir, "empty");
  await git(dir, "init", "-q", "-b", "main", src);
  const { path } = await importWorkingTree(src, join(dir, "repos"), "acme", "empty", signal);
  assert.equal(await git(path, "for-each-ref"), "");
});

test("lists the paths a push changed, every path for a new branch and none for a deletion", async () => {
  const src = join(dir, "paths");
  await git(dir, "init", "-q", "-b", "main", src);
  await writeFile(join(src, "a.txt"), "a\n");
  await writeFile(join(src, "b.txt"), "b\n");
  await git(src, "add", ".");
  await git(src, "commit", "-q", "-m", "one");
  const one = await git(src, "rev-parse", "HEAD");
  await writeFile(join(src, "b.txt"), "b2\n");
  await writeFile(join(src, "dir with space.txt"), "c\n");
  await git(src, "add", ".");
  await git(src, "commit", "-q", "-m", "two");
  const two = await git(src, "rev-parse", "HEAD");
  const zero = "0".repeat(40);
  assert.deepEqual(await changedPaths(src, one, two, signal), ["b.txt", "dir with space.txt"]);
  assert.deepEqual(await changedPaths(src, zero, one, signal), ["a.txt", "b.txt"]);
  assert.deepEqual(await changedPaths(src, two, zero, signal), []);
});
