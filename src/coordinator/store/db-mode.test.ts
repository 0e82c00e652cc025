import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openStore } from "./db.js";

test("the database file and its WAL are readable by the owner only", () => {
  const dir = mkdtempSync(join(tmpdir(), "rp-db-mode-"));
  const path = join(dir, "c.db");
  const store = openStore(path);
  try {
    for (const f of [path, `${path}-wal`]) assert.equal(statSync(f).mode & 0o777, 0o600, f);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
