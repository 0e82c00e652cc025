import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createHostBackend } from "../backends/host.js";
import { ActionCache } from "./action-cache.js";
import { ActionResolver } from "./action-resolver.js";

const root = mkdtempSync(join(tmpdir(), "action-cache-"));
after(() => rmSync(root, { recursive: true, force: true }));

const gitEnv = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: root,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@example.invalid",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@example.invalid",
};

/** A bare repository `<base>/<owner>/<repo>.git`-less (`<base>/<owner>/<repo>`) with tag v1; returns its commit. */
function makeActionRepo(base: string, owner: string, repo: string, text: string): string {
  const work = join(root, `work-${owner}-${repo}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, "action.yml"), `name: ${text}\nruns:\n  using: node20\n  main: index.js\n`);
  writeFileSync(join(work, "index.js"), `console.log(${JSON.stringify(text)});\n`);
  const git = (...args: string[]) => execFileSync("git", args, { cwd: work, env: gitEnv }).toString().trim();
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "action");
  git("tag", "v1");
  mkdirSync(join(base, owner), { recursive: true });
  execFileSync("git", ["clone", "-q", "--bare", work, join(base, owner, repo)], { env: gitEnv });
  return git("rev-parse", "HEAD");
}

test("fetches a tag over git, then serves it from the cache when the server is gone", async () => {
  const origin = join(root, "origin1");
  const sha = makeActionRepo(origin, "org", "tool", "first");
  const cache = new ActionCache(join(root, "cache1"));
  const url = `file://${origin}/org/tool`;
  const signal = AbortSignal.timeout(20_000);
  const fetched = await cache.fetch(url, { urls: [url], ref: "v1", offline: false, signal });
  assert.equal(fetched.sha, sha);
  assert.equal(fetched.source, url);
  assert.match(readFileSync(join(fetched.dir, "action.yml"), "utf8"), /name: first/);

  rmSync(origin, { recursive: true, force: true });
  const warnings: string[] = [];
  const again = await cache.fetch(url, {
    urls: [url],
    ref: "v1",
    offline: false,
    signal,
    onWarning: (m) => warnings.push(m),
  });
  assert.deepEqual([again.sha, again.source], [sha, "cache"]);
  assert.match(warnings[0] ?? "", /using the cached commit/);

  const offline = await cache.fetch(url, { urls: [url], ref: "v1", offline: true, signal });
  assert.equal(offline.sha, sha);
  const bySha = await cache.fetch(url, { urls: [url], ref: sha, offline: true, signal });
  assert.equal(bySha.dir, fetched.dir);
});

test("an offline cache without the ref, or a ref no server has, is an error naming the action", async () => {
  const origin = join(root, "origin2");
  makeActionRepo(origin, "org", "tool", "second");
  const cache = new ActionCache(join(root, "cache2"));
  const url = `file://${origin}/org/tool`;
  const signal = AbortSignal.timeout(20_000);
  await assert.rejects(
    cache.fetch(url, { urls: [url], ref: "v1", offline: true, signal }),
    /cannot fetch action '.*org\/tool@v1': the runner is offline and the cache does not hold it/,
  );
  await assert.rejects(cache.fetch(url, { urls: [url], ref: "v9", offline: false, signal }), /cannot fetch action/);
});

test("the resolver tries the mirror first and copies the action into the job's temp dir", async () => {
  const mirror = join(root, "mirror");
  makeActionRepo(mirror, "org", "mirrored", "from-mirror");
  const backend = createHostBackend({ workdirParent: join(root, "jobs") });
  const environment = await backend.prepare({ jobKey: "resolver", signal: AbortSignal.timeout(10_000) });
  try {
    const resolver = new ActionResolver({
      environment,
      cache: new ActionCache(join(root, "cache3")),
      // The origin does not exist: only the mirror can serve.
      source: { mirror, defaultUrl: `file://${join(root, "no-such-origin")}` },
      contextDefaultUrl: "",
      warn: () => {},
    });
    const action = await resolver.resolve("org/mirrored@v1", AbortSignal.timeout(20_000));
    assert.equal(action.manifest.name, "from-mirror");
    assert.equal(action.repository, "org/mirrored");
    assert.ok(action.hostDir.startsWith(environment.hostTemp), action.hostDir);
    assert.equal(await resolver.resolve("org/mirrored@v1", AbortSignal.timeout(1_000)), action);
  } finally {
    await environment.dispose(AbortSignal.timeout(10_000));
  }
});

test("actions on the forge's own host are fetched with the task token, other hosts never see it", async () => {
  const seen: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const backend = createHostBackend({ workdirParent: join(root, "jobs-auth") });
  const environment = await backend.prepare({ jobKey: "auth", signal: AbortSignal.timeout(10_000) });
  try {
    const resolve = (serverUrl: string) =>
      new ActionResolver({
        environment,
        cache: new ActionCache(join(root, "cache-auth")),
        source: {},
        contextDefaultUrl: url,
        server: { url: serverUrl, token: "task-token-xyz" },
        warn: () => {},
      }).resolve("org/private@v1", AbortSignal.timeout(20_000));
    await assert.rejects(resolve(`${url}/`), /cannot fetch action/);
    const expected = `Basic ${Buffer.from("x-access-token:task-token-xyz").toString("base64")}`;
    assert.ok(seen.length > 0 && seen.every((h) => h?.toLowerCase() === expected.toLowerCase()), String(seen));
    seen.length = 0;
    await assert.rejects(resolve("http://forge.example.invalid/"), /cannot fetch action/);
    assert.ok(seen.length > 0 && seen.every((h) => h === undefined), String(seen));
  } finally {
    await environment.dispose(AbortSignal.timeout(10_000));
    await new Promise<void>((r) => server.close(() => r()));
  }
});
