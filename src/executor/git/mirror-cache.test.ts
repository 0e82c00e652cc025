import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, open, readdir, readFile, rm, stat, truncate, unlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { git, serveRepo, spawnGitServer, type TestGitServer } from "../../../test/support/git-server.js";
import { isPoolError } from "../../lib/index.js";
import { checkout } from "./checkout.js";
import { MirrorCache } from "./mirror-cache.js";
import { inspectMirror } from "./mirror-health.js";

const signal = new AbortController().signal;
let dir = "";
let src = "";
let reposDir = "";
let server: TestGitServer;
let secured: TestGitServer;
let head = "";
let n = 0;

function fresh(name: string): string {
  n += 1;
  return join(dir, `${name}-${n}`);
}

/** Bytes the server sent for everything `fn` did, waiting until its log has caught up. */
async function served<T>(fn: () => Promise<T>): Promise<{ value: T; bytes: number }> {
  const start = server.requests.length;
  const value = await fn();
  const sentinel = `/sentinel-${n++}`;
  await (await fetch(`${server.url}${sentinel}`)).arrayBuffer();
  await server.waitFor((reqs) => reqs.some((r) => r.path === sentinel));
  const mine = server.requests.slice(start).filter((r) => !r.path.startsWith("/sentinel-"));
  return { value, bytes: mine.reduce((s, r) => s + r.bytes, 0) };
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function packs(mirror: string): Promise<string[]> {
  return (await readdir(join(mirror, "objects", "pack"))).filter((f) => f.endsWith(".pack"));
}

async function commit(message: string): Promise<string> {
  await writeFile(join(src, "blob.bin"), randomBytes(256 * 1024));
  await git(src, "add", ".");
  await git(src, "commit", "-q", "-m", message);
  await git(src, "push", "-q", join(reposDir, "acme", "app.git"), "main");
  return git(src, "rev-parse", "HEAD");
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "mirror-"));
  reposDir = join(dir, "repos");
  src = join(dir, "src");
  await git(dir, "init", "-q", "-b", "main", src);
  await writeFile(join(src, "readme"), "hello\n");
  await git(src, "add", ".");
  await git(src, "commit", "-q", "-m", "first");
  await serveRepo(reposDir, "acme", "app", src);
  await git(dir, "init", "-q", "--bare", "-b", "main", join(reposDir, "acme", "other.git"));
  await git(src, "push", "-q", join(reposDir, "acme", "other.git"), "main");
  head = await commit("second");
  server = await spawnGitServer(reposDir);
  secured = await spawnGitServer(reposDir, ["--private", "--user", "x-access-token:right"]);
});

after(async () => {
  await server?.close();
  await secured?.close();
  await rm(dir, { recursive: true, force: true });
});

test("a warm checkout borrows every object from the mirror and the server sends under 1 KB", async () => {
  const mirror = new MirrorCache({ dir: fresh("cache") });
  const url = `${server.url}/acme/app.git`;
  const cold = await served(() =>
    checkout({ url, ref: "refs/heads/main", sha: head, path: fresh("ws"), mirror, signal }),
  );
  assert.ok(cold.bytes > 256 * 1024, `cold served ${cold.bytes}`);
  const path = fresh("ws");
  const warm = await served(() => checkout({ url, ref: "refs/heads/main", sha: head, path, mirror, signal }));
  assert.equal(warm.value.commit, head);
  assert.ok(warm.bytes > 0 && warm.bytes <= 1024, `warm served ${warm.bytes} bytes`);
  const alternates = await readFile(join(path, ".git", "objects", "info", "alternates"), "utf8");
  assert.equal(alternates.trim(), join(mirror.pathFor(url), "objects"));
  assert.equal(await git(path, "rev-list", "--count", "HEAD"), "2");
});

test("a token the server refuses cannot read a commit the mirror already holds", async () => {
  const mirror = new MirrorCache({ dir: fresh("cache") });
  const url = `${secured.url}/acme/app.git`;
  const ok = await checkout({ url, ref: "refs/heads/main", token: "right", path: fresh("ws"), mirror, signal });
  await assert.rejects(checkout({ url, sha: ok.commit, token: "wrong", path: fresh("ws"), mirror, signal }), (e) =>
    isPoolError(e, "FORGE_UNAUTHENTICATED"),
  );
});

test("a branch that moved refreshes the mirror; a known commit does not", async () => {
  const mirror = new MirrorCache({ dir: fresh("cache") });
  const url = `${server.url}/acme/app.git`;
  await checkout({ url, ref: "refs/heads/main", path: fresh("ws"), mirror, signal });
  const next = await commit("third");
  const moved = await checkout({ url, ref: "refs/heads/main", path: fresh("ws"), mirror, signal });
  assert.equal(moved.commit, next);
  const packsBefore = await packs(mirror.pathFor(url));
  const pinned = await served(() => mirror.ensure(url, [next], signal));
  assert.equal(pinned.bytes, 0);
  assert.deepEqual(await packs(mirror.pathFor(url)), packsBefore);
});

test("two concurrent checkouts from two caches on one directory build the mirror once and both succeed", async () => {
  const cacheDir = fresh("cache");
  const url = `${server.url}/acme/app.git`;
  const lines: string[] = [];
  const jobs = [0, 1].map(() =>
    checkout({
      url,
      ref: "refs/heads/main",
      path: fresh("ws"),
      mirror: new MirrorCache({ dir: cacheDir }),
      signal,
      onLine: (l) => lines.push(l),
    }),
  );
  const results = await Promise.all(jobs);
  assert.deepEqual(
    lines.filter((l) => l.startsWith("warning")),
    [],
  );
  const tip = await git(src, "rev-parse", "HEAD");
  assert.deepEqual(
    results.map((r) => r.commit),
    [tip, tip],
  );
  const mirrorPath = new MirrorCache({ dir: cacheDir }).pathFor(url);
  assert.equal((await packs(mirrorPath)).length, 1);
  assert.deepEqual(
    (await readdir(cacheDir)).filter((f) => !/^[0-9a-f]{64}$/.test(f)),
    [],
  );
});

for (const damage of ["truncated", "deleted"] as const) {
  test(`a mirror whose pack was ${damage} is detected, rebuilt, and the job succeeds`, async () => {
    const mirror = new MirrorCache({ dir: fresh("cache") });
    const url = `${server.url}/acme/app.git`;
    await checkout({ url, ref: "refs/heads/main", path: fresh("ws"), mirror, signal });
    const mirrorPath = mirror.pathFor(url);
    const [pack] = await packs(mirrorPath);
    const packPath = join(mirrorPath, "objects", "pack", pack ?? "");
    if (damage === "truncated") await truncate(packPath, (await stat(packPath)).size - 100);
    else await unlink(packPath);
    assert.equal((await inspectMirror(mirrorPath)).state, "corrupt");
    const lines: string[] = [];
    const tip = await git(src, "rev-parse", "HEAD");
    const r = await checkout({ url, sha: tip, path: fresh("ws"), mirror, signal, onLine: (l) => lines.push(l) });
    assert.equal(r.commit, tip);
    assert.equal(lines.filter((l) => /mirror .* is damaged/.test(l)).length, 1, lines.join("\n"));
    assert.equal((await inspectMirror(mirrorPath)).state, "ok");
  });
}

test("an object damaged inside a whole pack fails the checkout through the mirror, which falls back and drops the mirror", async () => {
  const mirror = new MirrorCache({ dir: fresh("cache") });
  const url = `${server.url}/acme/app.git`;
  const tip = await git(src, "rev-parse", "HEAD");
  await mirror.ensure(url, [tip], signal);
  const mirrorPath = mirror.pathFor(url);
  const [pack] = await packs(mirrorPath);
  const packPath = join(mirrorPath, "objects", "pack", pack ?? "");
  const fh = await open(packPath, "r+");
  try {
    // The middle of the pack is the random blob; the trailer (checked cheaply) stays intact.
    const size = (await fh.stat()).size;
    await fh.write(Buffer.alloc(4096, 0x55), 0, 4096, Math.floor(size / 2));
  } finally {
    await fh.close();
  }
  assert.equal((await inspectMirror(mirrorPath)).state, "ok");
  const lines: string[] = [];
  const path = fresh("ws");
  const r = await checkout({ url, sha: tip, path, mirror, signal, onLine: (l) => lines.push(l) });
  assert.equal(r.commit, tip);
  assert.ok(
    lines.some((l) => l.startsWith("warning: checkout through the mirror failed")),
    lines.join("\n"),
  );
  assert.equal((await inspectMirror(mirrorPath)).state, "missing");
  assert.equal(await git(path, "fsck", "--no-dangling"), "");
  assert.equal(await exists(join(path, ".git", "objects", "info", "alternates")), false);
});

test("a cache directory that cannot be used never breaks the job", async () => {
  const blocked = fresh("blocked");
  await writeFile(blocked, "a file where the cache directory should be\n");
  const lines: string[] = [];
  const r = await checkout({
    url: `${server.url}/acme/app.git`,
    ref: "refs/heads/main",
    path: fresh("ws"),
    mirror: new MirrorCache({ dir: join(blocked, "mirrors") }),
    signal,
    onLine: (l) => lines.push(l),
  });
  assert.equal(r.commit, await git(src, "rev-parse", "HEAD"));
  assert.ok(
    lines.some((l) => l.startsWith("warning: the mirror cache is unusable")),
    lines.join("\n"),
  );
});

test("over the size cap the least recently used idle mirror is evicted, a recently used one is kept", async () => {
  const cacheDir = fresh("cache");
  const app = `${server.url}/acme/app.git`;
  const other = `${server.url}/acme/other.git`;
  const keepRecent = new MirrorCache({ dir: cacheDir, maxBytes: 1 });
  await keepRecent.ensure(app, ["refs/heads/main"], signal);
  await keepRecent.ensure(other, ["refs/heads/main"], signal);
  assert.equal((await inspectMirror(keepRecent.pathFor(app))).state, "ok", "evicted while within minIdleMs");

  const old = new Date(Date.now() - 3600_000);
  await utimes(keepRecent.pathFor(app), old, old);
  const strict = new MirrorCache({ dir: cacheDir, maxBytes: 1, minIdleMs: 60_000 });
  await strict.ensure(other, ["refs/heads/main"], signal);
  assert.equal((await inspectMirror(strict.pathFor(app))).state, "missing");
  assert.equal((await inspectMirror(strict.pathFor(other))).state, "ok");
});

test("a mirror is keyed by the repository url", async () => {
  const cache = new MirrorCache({ dir: "/var/cache/mirrors" });
  assert.match(cache.pathFor("http://x/a.git"), /^\/var\/cache\/mirrors\/[0-9a-f]{64}$/);
  assert.notEqual(cache.pathFor("http://x/a.git"), cache.pathFor("http://x/b.git"));
});
