import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { gzipSync } from "node:zlib";
import { git, gitFails } from "../../../test/support/git-client.js";
import { createGitHttpHandler, type GitAuthRequest, type GitPushEvent } from "./git-http.js";
import { createBareRepo } from "./git-repos.js";

const signal = new AbortController().signal;
const ZERO = "0".repeat(40);

let dir = "";
let reposDir = "";
let server: Server;
let base = "";
const pushes: GitPushEvent[] = [];
const authCalls: GitAuthRequest[] = [];
const gitProtocols: string[] = [];

async function work(name: string): Promise<string> {
  const wt = join(dir, name);
  await git(dir, "init", "-q", "-b", "main", wt);
  await writeFile(join(wt, "a.txt"), `${name}\n`);
  await git(wt, "add", ".");
  await git(wt, "commit", "-q", "-m", "first");
  return wt;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "git-http-"));
  reposDir = join(dir, "repos");
  const handler = createGitHttpHandler({
    reposDir,
    authorize: (r) => {
      authCalls.push(r);
      return r.service === "upload-pack" || (r.user === "alice" && r.password === "s3cret");
    },
    onPush: (e) => pushes.push(e),
  });
  server = createServer((req, res) => {
    const p = req.headers["git-protocol"];
    if (typeof p === "string") gitProtocols.push(p);
    if (!handler(req, res)) res.writeHead(418).end("not git\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

test("clones over protocol v2: the backend answers the Git-Protocol header with a v2 advertisement", async () => {
  await createBareRepo(reposDir, "acme", "clone", signal);
  const wt = await work("clone-src");
  await git(wt, "push", "-q", join(reposDir, "acme", "clone.git"), "main");
  gitProtocols.length = 0;
  const out = join(dir, "clone-out");
  await git(
    dir,
    "-c",
    "protocol.version=2",
    "clone",
    "-q",
    "--depth=1",
    "--filter=blob:none",
    `${base}/acme/clone.git`,
    out,
  );
  assert.equal(await git(out, "rev-parse", "HEAD"), await git(wt, "rev-parse", "HEAD"));
  assert.ok(gitProtocols.includes("version=2"), `server saw ${JSON.stringify(gitProtocols)}`);
  const res = await fetch(`${base}/acme/clone.git/info/refs?service=git-upload-pack`, {
    headers: { "git-protocol": "version=2" },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/x-git-upload-pack-advertisement");
  assert.match(await res.text(), /version 2/);
});

test("a push with accepted basic credentials reports created, moved and deleted refs", async () => {
  await createBareRepo(reposDir, "acme", "push", signal);
  const wt = await work("push-src");
  const remote = `http://alice:s3cret@127.0.0.1:${(server.address() as AddressInfo).port}/acme/push.git`;
  pushes.length = 0;
  await git(wt, "tag", "v1");
  const first = await git(wt, "rev-parse", "HEAD");
  await git(wt, "push", "-q", remote, "main", "v1");
  assert.deepEqual(pushes, [
    {
      repo: "acme/push",
      updates: [
        { ref: "refs/heads/main", before: ZERO, after: first },
        { ref: "refs/tags/v1", before: ZERO, after: first },
      ],
    },
  ]);
  await writeFile(join(wt, "b.txt"), "b\n");
  await git(wt, "add", ".");
  await git(wt, "commit", "-q", "-m", "second");
  const second = await git(wt, "rev-parse", "HEAD");
  await git(wt, "push", "-q", remote, "main", ":refs/tags/v1");
  assert.deepEqual(pushes[1], {
    repo: "acme/push",
    updates: [
      { ref: "refs/heads/main", before: first, after: second },
      { ref: "refs/tags/v1", before: first, after: ZERO },
    ],
  });
  assert.ok(authCalls.some((c) => c.service === "receive-pack" && c.user === "alice"));
});

test("an anonymous push is refused with 401 and a basic challenge", async () => {
  await createBareRepo(reposDir, "acme", "anon", signal);
  const res = await fetch(`${base}/acme/anon.git/info/refs?service=git-receive-pack`);
  assert.equal(res.status, 401);
  assert.match(res.headers.get("www-authenticate") ?? "", /^Basic realm=/);
  const wt = await work("anon-src");
  pushes.length = 0;
  const stderr = await gitFails(wt, "push", `${base}/acme/anon.git`, "main");
  assert.match(stderr, /could not read Username|Authentication failed|401/);
  assert.deepEqual(pushes, []);
});

test("a push with rejected credentials is refused and changes nothing", async () => {
  const path = await createBareRepo(reposDir, "acme", "wrong", signal);
  const wt = await work("wrong-src");
  const port = (server.address() as AddressInfo).port;
  const stderr = await gitFails(wt, "push", `http://alice:nope@127.0.0.1:${port}/acme/wrong.git`, "main");
  assert.match(stderr, /Authentication failed/);
  assert.equal(await git(path, "for-each-ref"), "");
});

test("a gzip-compressed request body is inflated for the backend", async () => {
  await createBareRepo(reposDir, "acme", "gzip", signal);
  const wt = await work("gzip-src");
  await git(wt, "push", "-q", join(reposDir, "acme", "gzip.git"), "main");
  const pkt = (s: string) => (s.length + 4).toString(16).padStart(4, "0") + s;
  const body = gzipSync(Buffer.from(`${pkt("command=ls-refs\n")}0001${pkt("ref-prefix refs/heads/\n")}0000`));
  const res = await fetch(`${base}/acme/gzip.git/git-upload-pack`, {
    method: "POST",
    headers: {
      "content-type": "application/x-git-upload-pack-request",
      "content-encoding": "gzip",
      "git-protocol": "version=2",
    },
    body,
  });
  assert.equal(res.status, 200);
  assert.match(await res.text(), new RegExp(`${await git(wt, "rev-parse", "HEAD")} refs/heads/main`));
});

test("an unknown repository is a 404 and a non-git path is left to the next handler", async () => {
  const missing = await fetch(`${base}/acme/nothing.git/info/refs?service=git-upload-pack`);
  assert.equal(missing.status, 404);
  await missing.arrayBuffer();
  const other = await fetch(`${base}/api/actions/ping.v1.PingService/Ping`, { method: "POST" });
  assert.equal(other.status, 418);
  await other.arrayBuffer();
  const dotdot = await fetch(`${base}/acme/..%2f..%2fetc.git/info/refs?service=git-upload-pack`);
  assert.equal(dotdot.status, 404);
  await dotdot.arrayBuffer();
});
