import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createHarness, plannedJob, runInput, type TestRunner } from "../../../test/support/coordinator-harness.js";
import { Result } from "../../protocol/index.js";
import { type CoordinatorServer, startCoordinatorServer } from "../service/server.js";
import { ARTIFACT_API_PREFIX, createArtifactHandler } from "./artifact-http.js";
import { ArtifactStore } from "./artifact-store.js";
import type { ArtifactRecord } from "./artifacts.js";

const dir = mkdtempSync(join(tmpdir(), "rp-artifact-http-"));
const h = createHarness();
const store = new ArtifactStore({ dir, limits: { maxArtifactBytes: 1024 * 1024, maxFileBytes: 512 * 1024 } });
let server: CoordinatorServer;
let runner: TestRunner;
let api: string;

before(async () => {
  server = await startCoordinatorServer(h.coordinator, {
    handlers: [createArtifactHandler(h.coordinator.taskTokens, store, { readToken: "reader-secret" })],
  });
  api = `${server.url}${ARTIFACT_API_PREFIX}`;
  runner = await h.register("art", ["art"]);
});

after(async () => {
  await server.close();
  h.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Queues a one-job run and takes its task: a running task with its own token. */
async function runningTask(): Promise<{ runId: number; token: string; taskId: bigint }> {
  const { runId } = h.coordinator.runs.create(runInput([plannedJob("j", { runsOn: ["art"] })]));
  const task = await runner.take();
  return { runId, token: task.context?.token as string, taskId: task.id };
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const sha = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const enc = (path: string) => path.split("/").map(encodeURIComponent).join("/");

async function begin(token: string, name: string, overwrite = false): Promise<Response> {
  return fetch(`${api}artifacts`, {
    method: "POST",
    headers: { ...auth(token), "content-type": "application/json" },
    body: JSON.stringify({ name, overwrite }),
  });
}

async function upload(token: string, name: string, files: Record<string, string>, overwrite = false) {
  const started = await begin(token, name, overwrite);
  assert.equal(started.status, 201, await started.clone().text());
  const { uploadId } = (await started.json()) as { uploadId: string };
  for (const [path, content] of Object.entries(files)) {
    const put = await fetch(`${api}uploads/${uploadId}/files/${enc(path)}`, {
      method: "PUT",
      headers: auth(token),
      body: content,
    });
    assert.equal(put.status, 201, await put.text());
  }
  const done = await fetch(`${api}uploads/${uploadId}/finalize`, { method: "POST", headers: auth(token) });
  assert.equal(done.status, 201, await done.clone().text());
  return (await done.json()) as ArtifactRecord;
}

test("uploads an artifact with its task token and lists it with sizes and sha256 per file", async () => {
  const t = await runningTask();
  const record = await upload(t.token, "dist", { "app.txt": "hello\n", "sub/dir/data.bin": "x".repeat(1000) });
  assert.equal(record.runId, t.runId);
  assert.equal(record.size, 1006);
  const list = await fetch(`${api}runs/${t.runId}/artifacts`, { headers: auth(t.token) });
  assert.equal(list.status, 200);
  const { artifacts } = (await list.json()) as { artifacts: ArtifactRecord[] };
  assert.deepEqual(
    artifacts.map((a) => [a.name, a.files]),
    [
      [
        "dist",
        [
          { path: "app.txt", size: 6, sha256: sha("hello\n") },
          { path: "sub/dir/data.bin", size: 1000, sha256: sha("x".repeat(1000)) },
        ],
      ],
    ],
  );
  assert.deepEqual(store.listArtifacts(t.runId), artifacts);
  assert.ok(existsSync(join(dir, String(t.runId), "dist", "files", "sub", "dir", "data.bin")));
});

test("downloads one file byte for byte with its hash in a header", async () => {
  const t = await runningTask();
  const bytes = Buffer.from([0, 1, 2, 255, 10, 13]);
  await upload(t.token, "bin", { "b/raw.dat": bytes.toString("latin1") });
  const stored = store.getArtifact(t.runId, "bin")?.files[0];
  const res = await fetch(`${api}runs/${t.runId}/artifacts/bin/files/b/raw.dat`, { headers: auth(t.token) });
  assert.equal(res.status, 200);
  const body = Buffer.from(await res.arrayBuffer());
  assert.equal(res.headers.get("x-runnerpool-sha256"), stored?.sha256);
  assert.equal(sha(body), stored?.sha256);
});

test("the archive route streams a tar that tar extracts to the same files, long paths included", async () => {
  const t = await runningTask();
  const long = `${"deep/".repeat(30)}file.txt`;
  await upload(t.token, "tree", { "a.txt": "A", [long]: "long path\n", "empty.txt": "" });
  const res = await fetch(`${api}runs/${t.runId}/artifacts/tree/archive`, { headers: auth("reader-secret") });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/x-tar");
  const out = mkdtempSync(join(tmpdir(), "rp-artifact-tar-"));
  try {
    execFileSync("tar", ["-xf", "-", "-C", out], { input: Buffer.from(await res.arrayBuffer()) });
    assert.equal(readFileSync(join(out, "a.txt"), "utf8"), "A");
    assert.equal(readFileSync(join(out, long), "utf8"), "long path\n");
    assert.equal(readFileSync(join(out, "empty.txt"), "utf8"), "");
    assert.deepEqual(readdirSync(out).sort(), ["a.txt", "deep", "empty.txt"]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("a task of another run cannot read the artifacts, and a request without a token is refused", async () => {
  const a = await runningTask();
  await upload(a.token, "secret-stuff", { "x.txt": "x" });
  const b = await runningTask();
  const other = await fetch(`${api}runs/${a.runId}/artifacts`, { headers: auth(b.token) });
  assert.equal(other.status, 403);
  assert.match(((await other.json()) as { error: { message: string } }).error.message, /cannot read/);
  const none = await fetch(`${api}runs/${a.runId}/artifacts/secret-stuff/files/x.txt`);
  assert.equal(none.status, 401);
  const wrong = await fetch(`${api}runs/${a.runId}/artifacts`, { headers: auth("0".repeat(40)) });
  assert.equal(wrong.status, 401);
});

test("file paths that leave the artifact are rejected and nothing is written outside the store", async () => {
  const t = await runningTask();
  const started = await begin(t.token, "evil");
  const { uploadId } = (await started.json()) as { uploadId: string };
  for (const path of [
    "..%2F..%2Fescape.txt",
    "a%2F..%2F..%2Fescape.txt",
    "a/%2E%2E%2F%2E%2E%2Fescape.txt",
    "%2Fabs.txt",
    "a%5Cb.txt",
    "c%3Ad.txt",
  ]) {
    const put = await fetch(`${api}uploads/${uploadId}/files/${path}`, {
      method: "PUT",
      headers: auth(t.token),
      body: "x",
    });
    assert.equal(put.status, 400, path);
  }
  assert.equal(existsSync(join(dir, "escape.txt")), false);
  assert.equal(existsSync(join(dir, "..", "escape.txt")), false);
  const read = await fetch(`${api}runs/${t.runId}/artifacts/..%2F..%2F/files/x`, { headers: auth(t.token) });
  assert.equal(read.status, 400);
});

test("artifact names with characters upload-artifact forbids are refused", async () => {
  const t = await runningTask();
  for (const name of ["a/b", "a\\b", "a:b", "a*b", 'a"b', "a<b", "a|b", "a?b", "", ".."]) {
    const res = await begin(t.token, name);
    assert.equal(res.status, 400, name);
  }
});

test("a second upload of the same name is refused unless it asks to overwrite", async () => {
  const t = await runningTask();
  await upload(t.token, "twice", { "v.txt": "one" });
  const again = await begin(t.token, "twice");
  assert.equal(again.status, 409);
  const replaced = await upload(t.token, "twice", { "w.txt": "two" }, true);
  assert.deepEqual(
    replaced.files.map((f) => f.path),
    ["w.txt"],
  );
  assert.deepEqual(
    store.getArtifact(t.runId, "twice")?.files.map((f) => f.path),
    ["w.txt"],
  );
});

test("a file over the size limit is refused with 413 and leaves no staged bytes", async () => {
  const t = await runningTask();
  const started = await begin(t.token, "big");
  const { uploadId } = (await started.json()) as { uploadId: string };
  const put = await fetch(`${api}uploads/${uploadId}/files/big.bin`, {
    method: "PUT",
    headers: auth(t.token),
    body: Buffer.alloc(600 * 1024),
  });
  assert.equal(put.status, 413);
  assert.equal(store.session(uploadId)?.bytes, 0);
  assert.deepEqual(readdirSync(join(dir, ".uploads", uploadId)), ["files"]);
});

test("a file whose content does not match the announced sha256 is refused", async () => {
  const t = await runningTask();
  const { uploadId } = (await (await begin(t.token, "hashed")).json()) as { uploadId: string };
  const put = await fetch(`${api}uploads/${uploadId}/files/f.txt`, {
    method: "PUT",
    headers: { ...auth(t.token), "x-runnerpool-sha256": sha("something else") },
    body: "content",
  });
  assert.equal(put.status, 400);
  assert.equal(store.session(uploadId)?.files.size, 0);
});

test("an upload cannot be finalized once its task has ended", async () => {
  const t = await runningTask();
  const { uploadId } = (await (await begin(t.token, "late")).json()) as { uploadId: string };
  const put = await fetch(`${api}uploads/${uploadId}/files/f.txt`, {
    method: "PUT",
    headers: auth(t.token),
    body: "x",
  });
  assert.equal(put.status, 201);
  await runner.update(t.taskId, Result.SUCCESS);
  const done = await fetch(`${api}uploads/${uploadId}/finalize`, { method: "POST", headers: auth(t.token) });
  assert.equal(done.status, 401);
  assert.equal(store.getArtifact(t.runId, "late"), undefined);
});

test("an upload session refuses files from another task's token", async () => {
  const a = await runningTask();
  const b = await runningTask();
  const { uploadId } = (await (await begin(a.token, "mine")).json()) as { uploadId: string };
  const put = await fetch(`${api}uploads/${uploadId}/files/f.txt`, {
    method: "PUT",
    headers: auth(b.token),
    body: "x",
  });
  assert.equal(put.status, 403);
  const unknown = await fetch(`${api}nothing/here`, { headers: auth(a.token) });
  assert.equal(unknown.status, 404);
});
