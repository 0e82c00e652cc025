import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { readRoleLabels, readStateDir } from "./lenient-read.js";

const dir = mkdtempSync(join(tmpdir(), "rp-lenient-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

test("the state dir of a config that does not validate yet is still found", () => {
  const file = write("mid-edit.toml", '[runner]\nstate_dir = "/srv/pool"\n[[role]]\nname = 1\n');
  assert.equal(readStateDir(file, { mustExist: true }), "/srv/pool");
});

test("a config that does not parse, or has no state_dir, means the default state dir", () => {
  const broken = write("broken.toml", "[runner\nstate_dir = ");
  assert.equal(readStateDir(broken, { mustExist: true }), join(dir, ".runnerpool"));
  assert.equal(readStateDir(join(dir, "absent.toml"), { mustExist: false }), join(dir, ".runnerpool"));
});

test("a relative state dir is relative to the config file, not to the current directory", () => {
  const file = write("relative.toml", '[runner]\nstate_dir = "pool-state"\n');
  assert.equal(readStateDir(file, { mustExist: true }), join(dir, "pool-state"));
});

test("a named config file that does not exist is an error", () => {
  assert.throws(() => readStateDir(join(dir, "absent.toml"), { mustExist: true }), /does not exist/);
});

test("role labels are read without the rest of the schema, and a role without labels is refused", async () => {
  const file = write("roles.toml", '[[role]]\nname = "iso"\nlabels = ["iso"]\nprivileged = true\ncapacity = "x"\n');
  assert.deepEqual(await readRoleLabels(file, AbortSignal.timeout(5000)), [
    { name: "iso", labels: ["iso"], privileged: true, guarded: true },
  ]);
  const bad = write("bad.toml", '[[role]]\nname = "iso"\n');
  await assert.rejects(readRoleLabels(bad, AbortSignal.timeout(5000)), /role\[0\] needs a name and a list of labels/);
});
