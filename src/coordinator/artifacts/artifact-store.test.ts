import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, test } from "node:test";
import { ArtifactStore } from "./artifact-store.js";
import { checkArtifactName, checkArtifactPath } from "./artifacts.js";

const dir = mkdtempSync(join(tmpdir(), "rp-artifact-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const uploader = (runId: number) => ({ runId, jobId: 1, taskId: 1 });
const signal = new AbortController().signal;

async function put(store: ArtifactStore, id: string, path: string, text: string) {
  const session = store.session(id);
  assert.ok(session);
  return store.putFile(session, path, Readable.from([Buffer.from(text)]), { signal });
}

test("artifact paths are normalised and anything leaving the artifact is refused", () => {
  assert.equal(checkArtifactPath("./a//b/./c.txt"), "a/b/c.txt");
  for (const bad of ["../x", "a/../../x", "/etc/passwd", "a\\b", "", "./", "a:b", "a\nb"]) {
    assert.throws(() => checkArtifactPath(bad), { code: "INVALID_ARGUMENT" }, bad);
  }
  assert.equal(checkArtifactName("build output (linux) v1.2"), "build output (linux) v1.2");
  assert.throws(() => checkArtifactName("x".repeat(256)), { code: "INVALID_ARGUMENT" });
});

test("artifact ids keep increasing across a new store on the same directory", async () => {
  const first = new ArtifactStore({ dir });
  const a = first.begin(uploader(1), { name: "one" }, "h");
  await put(first, a.id, "f.txt", "1");
  const one = first.finalize(a);
  const second = new ArtifactStore({ dir });
  const b = second.begin(uploader(2), { name: "two" }, "h");
  await put(second, b.id, "f.txt", "2");
  const two = second.finalize(b);
  assert.ok(two.id > one.id, `${two.id} > ${one.id}`);
  assert.equal(JSON.parse(readFileSync(join(dir, "2", "two", "manifest.json"), "utf8")).id, two.id);
});

test("of two uploads racing for one name the first finalize wins and the second is refused", async () => {
  const store = new ArtifactStore({ dir });
  const x = store.begin(uploader(3), { name: "race" }, "h");
  const y = store.begin(uploader(3), { name: "race" }, "h");
  await put(store, x.id, "x.txt", "x");
  await put(store, y.id, "y.txt", "y");
  store.finalize(x);
  assert.throws(() => store.finalize(y), { code: "ALREADY_EXISTS" });
  assert.deepEqual(
    store.getArtifact(3, "race")?.files.map((f) => f.path),
    ["x.txt"],
  );
});

test("a file whose path clashes with a directory of the same upload is refused", async () => {
  const store = new ArtifactStore({ dir });
  const s = store.begin(uploader(4), { name: "clash" }, "h");
  await put(store, s.id, "a/b.txt", "b");
  await assert.rejects(put(store, s.id, "a", "a"), { code: "INVALID_ARGUMENT" });
  assert.deepEqual([...s.files.keys()], ["a/b.txt"]);
});

test("an artifact with no files cannot be finalized, and a run without artifacts lists none", () => {
  const store = new ArtifactStore({ dir });
  const s = store.begin(uploader(5), { name: "empty" }, "h");
  assert.throws(() => store.finalize(s), { code: "INVALID_ARGUMENT" });
  assert.deepEqual(store.listArtifacts(5), []);
  assert.deepEqual(store.listArtifacts(999), []);
});

test("the file limit counts files, and re-uploading a path replaces it without counting twice", async () => {
  const store = new ArtifactStore({ dir, limits: { maxFiles: 2, maxArtifactBytes: 10 } });
  const s = store.begin(uploader(6), { name: "limits" }, "h");
  await put(store, s.id, "a", "12345");
  await put(store, s.id, "a", "123456");
  await put(store, s.id, "b", "1234");
  assert.equal(s.bytes, 10);
  await assert.rejects(put(store, s.id, "c", "1"), { code: "LIMIT_EXCEEDED" });
  await assert.rejects(put(store, s.id, "b", "12345"), { code: "LIMIT_EXCEEDED" });
  assert.equal(s.bytes, 10);
});
