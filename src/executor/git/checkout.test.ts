import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { git, serveRepo, spawnGitServer, type TestGitServer } from "../../../test/support/git-server.js";
import { isPoolError } from "../../lib/index.js";
import { type CheckoutOptions, checkout } from "./checkout.js";

const signal = new AbortController().signal;
let dir = "";
let server: TestGitServer;
let secured: TestGitServer;
let c1 = "";
let c2 = "";
let n = 0;

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

function target(): string {
  n += 1;
  return join(dir, "ws", `t${n}`);
}

async function run(o: Omit<CheckoutOptions, "signal" | "path"> & { path?: string }) {
  const lines: string[] = [];
  const path = o.path ?? target();
  const result = await checkout({ ...o, path, signal, onLine: (l) => lines.push(l) });
  return { ...result, path, lines };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "checkout-"));
  const reposDir = join(dir, "repos");
  const src = join(dir, "src");
  await git(dir, "init", "-q", "-b", "main", src);
  await mkdir(join(src, "a"));
  await mkdir(join(src, "b"));
  await writeFile(join(src, "a", "one.txt"), "one\n");
  await writeFile(join(src, "b", "two.txt"), "two\n");
  await writeFile(join(src, "top.txt"), "top\n");
  await git(src, "add", ".");
  await git(src, "commit", "-q", "-m", "c1");
  c1 = await git(src, "rev-parse", "HEAD");
  await git(src, "tag", "-a", "v1", "-m", "release 1");
  await git(src, "branch", "feature");
  await writeFile(join(src, "a", "one.txt"), "one, changed\n");
  await git(src, "commit", "-q", "-am", "c2");
  c2 = await git(src, "rev-parse", "HEAD");
  await serveRepo(reposDir, "acme", "app", src);

  // A gitlink with no .gitmodules entry, like the RFC's koder-hardware.
  const dangling = join(dir, "dangling");
  await git(dir, "init", "-q", "-b", "main", dangling);
  await writeFile(join(dangling, "f.txt"), "f\n");
  await git(dangling, "update-index", "--add", "--cacheinfo", `160000,${c1},sub`);
  await git(dangling, "add", "f.txt");
  await git(dangling, "commit", "-q", "-m", "gitlink");
  await serveRepo(reposDir, "acme", "dangling", dangling);

  server = await spawnGitServer(reposDir);
  secured = await spawnGitServer(reposDir, ["--private", "--user", "x-access-token:s3cret-token"]);

  // A declared submodule next to a dangling one; its URL is the server's, known only now.
  const withsub = join(dir, "withsub");
  await git(dir, "init", "-q", "-b", "main", withsub);
  await writeFile(
    join(withsub, ".gitmodules"),
    `[submodule "lib"]\n\tpath = lib\n\turl = ${server.url}/acme/app.git\n`,
  );
  await git(withsub, "update-index", "--add", "--cacheinfo", `160000,${c2},lib`);
  await git(withsub, "update-index", "--add", "--cacheinfo", `160000,${c1},ghost`);
  await git(withsub, "add", ".gitmodules");
  await git(withsub, "commit", "-q", "-m", "submodules");
  await serveRepo(reposDir, "acme", "withsub", withsub);
});

after(async () => {
  await server?.close();
  await secured?.close();
  await rm(dir, { recursive: true, force: true });
});

test("checks out a branch shallow and partial over protocol v2", async () => {
  const before = server.requests.length;
  const r = await run({ url: `${server.url}/acme/app.git`, ref: "refs/heads/main", depth: 1, filter: "blob:none" });
  assert.deepEqual({ ref: r.ref, commit: r.commit }, { ref: "refs/heads/main", commit: c2 });
  assert.equal(await git(r.path, "rev-parse", "--is-shallow-repository"), "true");
  assert.equal(await git(r.path, "rev-list", "--count", "HEAD"), "1");
  assert.equal(await git(r.path, "config", "remote.origin.partialclonefilter"), "blob:none");
  assert.equal(await git(r.path, "symbolic-ref", "HEAD"), "refs/heads/main");
  assert.equal(await readFile(join(r.path, "a", "one.txt"), "utf8"), "one, changed\n");
  await server.waitFor((reqs) => reqs.length > before);
  const mine = server.requests.slice(before);
  assert.ok(
    mine.every((q) => q.gitProtocol === "version=2"),
    JSON.stringify(mine),
  );
});

test("a sparse checkout materialises and downloads only the listed directories", async () => {
  const r = await run({
    url: `${server.url}/acme/app.git`,
    ref: "refs/heads/main",
    filter: "blob:none",
    sparse: ["a"],
  });
  assert.equal(r.commit, c2);
  assert.equal(await exists(join(r.path, "a", "one.txt")), true);
  assert.equal(await exists(join(r.path, "top.txt")), true);
  assert.equal(await exists(join(r.path, "b")), false);
  const missing = await git(r.path, "rev-list", "--objects", "--missing=print", "HEAD");
  const twoBlob = await git(r.path, "rev-parse", "HEAD:b/two.txt");
  assert.ok(missing.split("\n").includes(`?${twoBlob}`), "the blob outside the cone was fetched");
});

test("checks out an annotated tag by its refs/tags name, detached", async () => {
  const r = await run({ url: `${server.url}/acme/app.git`, ref: "refs/tags/v1" });
  assert.deepEqual({ ref: r.ref, commit: r.commit }, { ref: "refs/tags/v1", commit: c1 });
  assert.equal(await git(r.path, "rev-parse", "--abbrev-ref", "HEAD"), "HEAD");
  assert.equal(await git(r.path, "cat-file", "-t", "refs/tags/v1"), "tag");
});

test("checks out a bare SHA that is not a branch tip", async () => {
  const bySha = await run({ url: `${server.url}/acme/app.git`, sha: c1 });
  assert.deepEqual({ ref: bySha.ref, commit: bySha.commit }, { ref: c1, commit: c1 });
  const asRef = await run({ url: `${server.url}/acme/app.git`, ref: c1 });
  assert.equal(asRef.commit, c1);
  assert.equal(await readFile(join(asRef.path, "a", "one.txt"), "utf8"), "one\n");
});

test("a branch name, a SHA with its ref, and no ref at all resolve like actions/checkout", async () => {
  const feature = await run({ url: `${server.url}/acme/app.git`, ref: "feature" });
  assert.deepEqual({ ref: feature.ref, commit: feature.commit }, { ref: "refs/heads/feature", commit: c1 });
  const pinned = await run({ url: `${server.url}/acme/app.git`, ref: "refs/heads/main", sha: c1 });
  assert.deepEqual({ ref: pinned.ref, commit: pinned.commit }, { ref: "refs/heads/main", commit: c1 });
  const dflt = await run({ url: `${server.url}/acme/app.git` });
  assert.deepEqual({ ref: dflt.ref, commit: dflt.commit }, { ref: "refs/heads/main", commit: c2 });
  await assert.rejects(run({ url: `${server.url}/acme/app.git`, ref: "nope" }), (e) => isPoolError(e, "NOT_FOUND"));
});

test("depth 0 fetches the full history of every branch and tag", async () => {
  const r = await run({ url: `${server.url}/acme/app.git`, ref: "refs/heads/main", depth: 0 });
  assert.equal(await git(r.path, "rev-parse", "--is-shallow-repository"), "false");
  assert.equal(await git(r.path, "rev-list", "--count", "HEAD"), "2");
  assert.equal(await git(r.path, "rev-parse", "refs/remotes/origin/feature"), c1);
  assert.equal(await git(r.path, "rev-parse", "v1^{commit}"), c1);
});

test("rewrite and host header: the server sees the public Host, and later fetches in the clone still work", async () => {
  const publicUrl = "http://forge.example.test/acme/app.git";
  const before = server.requests.length;
  const r = await run({
    url: publicUrl,
    ref: "refs/heads/main",
    rewrite: { "http://forge.example.test/": `${server.url}/` },
    hostHeader: "forge.example.test",
  });
  assert.equal(r.commit, c2);
  assert.equal(await git(r.path, "config", "remote.origin.url"), publicUrl);
  assert.equal(await git(r.path, "config", `url.${server.url}/.insteadOf`), "http://forge.example.test/");
  await server.waitFor((reqs) => reqs.length > before);
  const during = server.requests.slice(before);
  assert.ok(
    during.every((q) => q.host === "forge.example.test" && q.hostHeaders === 1),
    JSON.stringify(during),
  );
  const later = server.requests.length;
  await git(r.path, "fetch", "origin", "refs/heads/feature");
  await server.waitFor((reqs) => reqs.length > later);
  const after = server.requests.slice(later);
  assert.ok(
    after.every((q) => q.host === "forge.example.test" && q.hostHeaders === 1),
    JSON.stringify(after),
  );
});

test("a dangling gitlink neither fails nor logs anything with submodules off", async () => {
  const r = await run({ url: `${server.url}/acme/dangling.git`, ref: "refs/heads/main" });
  assert.equal(await readFile(join(r.path, "f.txt"), "utf8"), "f\n");
  assert.deepEqual(
    r.lines.filter((l) => /sub|warning|fatal/i.test(l)),
    [],
  );
});

test("with submodules on, a dangling gitlink is one warning and the declared submodule is checked out", async () => {
  const r = await run({ url: `${server.url}/acme/withsub.git`, ref: "refs/heads/main", submodules: "recursive" });
  assert.equal(await readFile(join(r.path, "lib", "a", "one.txt"), "utf8"), "one, changed\n");
  assert.equal(await git(join(r.path, "lib"), "rev-parse", "HEAD"), c2);
  const warnings = r.lines.filter((l) => /ghost/.test(l));
  assert.equal(warnings.length, 1, r.lines.join("\n"));
  assert.match(warnings[0] ?? "", /^warning: skipping submodule 'ghost'/);
});

test("the token authenticates the fetch but is not left in the clone", async () => {
  const url = `${secured.url}/acme/app.git`;
  await assert.rejects(run({ url, ref: "refs/heads/main" }), (e) => isPoolError(e, "FORGE_UNAUTHENTICATED"));
  const r = await run({ url, ref: "refs/heads/main", token: "s3cret-token" });
  assert.equal(r.commit, c2);
  const config = await readFile(join(r.path, ".git", "config"), "utf8");
  assert.doesNotMatch(config, /authorization|s3cret|eC1hY2Nlc3MtdG9rZW46czNjcmV0LXRva2Vu/i);
  await assert.rejects(git(r.path, "fetch", "origin"), /Authentication failed|could not read Username/);
  assert.ok(r.lines.every((l) => !l.includes("s3cret")));
});

test("persistCredentials leaves the token in the clone so later fetches work", async () => {
  const url = `${secured.url}/acme/app.git`;
  const r = await run({ url, ref: "refs/heads/main", token: "s3cret-token", persistCredentials: true });
  const config = await readFile(join(r.path, ".git", "config"), "utf8");
  assert.match(config, /AUTHORIZATION: basic /);
  await git(r.path, "fetch", "origin", "refs/heads/feature");
  assert.equal(await git(r.path, "rev-parse", "FETCH_HEAD"), c1);
});

test("reusing a clone of the same repository cleans it and keeps one Authorization header", async () => {
  const url = `${secured.url}/acme/app.git`;
  const path = target();
  await run({ url, ref: "refs/heads/main", token: "s3cret-token", persistCredentials: true, path });
  await writeFile(join(path, "left-behind.txt"), "x\n");
  await writeFile(join(path, "a", "one.txt"), "edited\n");
  const r = await run({ url, ref: "refs/tags/v1", token: "s3cret-token", persistCredentials: true, path });
  assert.equal(r.commit, c1);
  assert.equal(await exists(join(path, "left-behind.txt")), false);
  assert.equal(await readFile(join(path, "a", "one.txt"), "utf8"), "one\n");
  const headers = await git(path, "config", "--get-all", `http.${secured.url}/.extraHeader`);
  assert.equal(headers.split("\n").length, 1);
});

test("lfs is refused with an error that says what to do", async () => {
  await assert.rejects(
    run({ url: `${server.url}/acme/app.git`, lfs: true }),
    (e) => isPoolError(e, "INVALID_ARGUMENT") && /lfs.*not supported.*git lfs pull/.test(e.message),
  );
});
