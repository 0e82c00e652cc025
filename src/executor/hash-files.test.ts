import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { hashFiles } from "./hash-files.js";

let root = "";
before(async () => {
  root = await mkdtemp(join(tmpdir(), "hash-files-"));
  await mkdir(join(root, "a", "b"), { recursive: true });
  await writeFile(join(root, "a", "b", "x.lock"), "one");
  await writeFile(join(root, "y.lock"), "two");
  await writeFile(join(root, "z.txt"), "three");
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const sha = (data: string | Buffer) => createHash("sha256").update(data).digest();

test("hashes the sha256 of each matching file in path order", () => {
  const expected = createHash("sha256")
    .update(Buffer.concat([sha("one"), sha("two")]))
    .digest("hex");
  assert.equal(hashFiles(root, "/ws", ["**/*.lock"]), expected);
});

test("honours exclusions and paths given under the visible workspace", () => {
  const onlyY = createHash("sha256").update(sha("two")).digest("hex");
  assert.equal(hashFiles(root, "/ws", ["**/*.lock", "!a/**"]), onlyY);
  assert.equal(hashFiles(root, "/ws", ["/ws/y.lock"]), onlyY);
});

test("is empty when nothing matches", () => {
  assert.equal(hashFiles(root, "/ws", ["nothing/**"]), "");
});
