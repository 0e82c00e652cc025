import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { openStore } from "./db.js";
import { MIGRATIONS } from "./migrations.js";

const dir = mkdtempSync(join(tmpdir(), "coordinator-db-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a file database uses WAL, foreign keys and records every migration once", () => {
  const path = join(dir, "a.db");
  const store = openStore(path);
  assert.equal(store.db.pragma("journal_mode", { simple: true }), "wal");
  assert.equal(store.db.pragma("foreign_keys", { simple: true }), 1);
  store.close();
  const again = openStore(path);
  const rows = again.db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all();
  assert.deepEqual(
    rows,
    MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
  );
  again.close();
});

test("tasks_version starts at 1 and only grows", () => {
  const store = openStore(":memory:");
  assert.equal(store.counters.tasksVersion(), 1);
  assert.equal(store.counters.bumpTasksVersion(), 2);
  assert.equal(store.counters.tasksVersion(), 2);
  store.close();
});

test("a foreign key violation is refused", () => {
  const store = openStore(":memory:");
  assert.throws(() => store.logs.addMessage(999, Date.now(), "orphan"), /FOREIGN KEY/);
  store.close();
});
