import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Code, ConnectError } from "@connectrpc/connect";
import Database from "better-sqlite3";
import { createHarness } from "../../../test/support/coordinator-harness.js";
import { TOKEN_HEADER, UUID_HEADER } from "../../protocol/index.js";
import { hashToken } from "./tokens.js";

const dir = mkdtempSync(join(tmpdir(), "coordinator-register-"));
const dbPath = join(dir, "coordinator.db");
const h = createHarness({ dbPath });
after(() => {
  h.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rejects(p: Promise<unknown>, code: Code, message: RegExp) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ConnectError, String(err));
    assert.equal(err.code, code);
    assert.match(err.rawMessage, message);
    return true;
  });
}

test("ping answers hello without authentication", async () => {
  const res = await h.ping.ping({ data: "runner" });
  assert.equal(res.data, "Hello, runner!");
});

test("registers a runner and stores only the token hash", async () => {
  const res = await h.client.register({
    name: "r1",
    token: h.coordinator.runners.registrationToken(),
    labels: ["linux", "x64"],
    version: "v1.2.3",
    ephemeral: true,
  });
  const r = res.runner!;
  assert.match(r.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.match(r.token, /^[0-9a-f]{40}$/);
  assert.deepEqual(
    { name: r.name, labels: r.labels, version: r.version, ephemeral: r.ephemeral },
    { name: "r1", labels: ["linux", "x64"], version: "v1.2.3", ephemeral: true },
  );
  const db = new Database(dbPath, { readonly: true });
  try {
    const row = db.prepare("SELECT * FROM runners WHERE uuid = ?").get(r.uuid) as Record<string, unknown>;
    assert.equal(row.token_hash, hashToken(r.token, row.token_salt as string));
    assert.ok(!Object.values(row).some((v) => typeof v === "string" && v.includes(r.token)), "token stored in clear");
  } finally {
    db.close();
  }
});

test("the registration token is reusable", async () => {
  const token = h.coordinator.runners.registrationToken();
  const a = await h.client.register({ name: "a", token, labels: ["linux"] });
  const b = await h.client.register({ name: "b", token, labels: ["linux"] });
  assert.notEqual(a.runner!.uuid, b.runner!.uuid);
  assert.equal(h.coordinator.runners.registrationToken(), token);
});

test("an unknown registration token is refused", async () => {
  await rejects(h.client.register({ name: "x", token: "nope", labels: [] }), Code.NotFound, /token not found/);
});

test("a replaced registration token is refused with a hint to use the latest", async () => {
  const old = h.coordinator.runners.registrationToken();
  const fresh = h.coordinator.runners.createRegistrationToken();
  assert.notEqual(fresh, old);
  await rejects(h.client.register({ name: "x", token: old, labels: [] }), Code.PermissionDenied, /latest one/);
  const ok = await h.client.register({ name: "y", token: fresh, labels: [] });
  assert.equal(ok.runner!.name, "y");
});

test("a missing name or token is an invalid argument", async () => {
  const token = h.coordinator.runners.registrationToken();
  await rejects(h.client.register({ name: "", token, labels: [] }), Code.InvalidArgument, /missing runner token, name/);
  await rejects(h.client.register({ name: "x", token: "", labels: [] }), Code.InvalidArgument, /missing/);
});

test("an old runner's agent_labels are used when labels is empty", async () => {
  const res = await h.client.register({
    name: "old",
    token: h.coordinator.runners.registrationToken(),
    agentLabels: ["a", "b"],
  });
  assert.deepEqual(res.runner!.labels, ["a", "b"]);
});

test("declare replaces labels and version and returns no token", async () => {
  const r = await h.register("d", ["linux"]);
  const res = await h.client.declare({ version: "v2", labels: ["iso", "self-hosted"] }, { headers: r.headers });
  assert.deepEqual(
    { labels: res.runner!.labels, version: res.runner!.version, token: res.runner!.token, uuid: res.runner!.uuid },
    { labels: ["iso", "self-hosted"], version: "v2", token: "", uuid: r.uuid },
  );
  const view = h.coordinator.runners.list().find((x) => x.uuid === r.uuid)!;
  assert.deepEqual(view.labels, ["iso", "self-hosted"]);
});

test("calls with an unknown uuid or a wrong token fail as unregistered runner", async () => {
  const r = await h.register("auth", ["linux"]);
  const wrong = `${r.token.slice(0, -1)}${r.token.endsWith("0") ? "1" : "0"}`;
  for (const headers of [
    { [UUID_HEADER]: r.uuid, [TOKEN_HEADER]: wrong },
    { [UUID_HEADER]: "00000000-0000-0000-0000-000000000000", [TOKEN_HEADER]: r.token },
    {},
  ]) {
    await rejects(h.client.fetchTask({ tasksVersion: 0n }, { headers }), Code.Unauthenticated, /^unregistered runner$/);
  }
  await rejects(
    h.client.declare({ version: "v", labels: [] }, { headers: { [UUID_HEADER]: r.uuid, [TOKEN_HEADER]: wrong } }),
    Code.Unauthenticated,
    /unregistered runner/,
  );
  const ok = await h.client.fetchTask({ tasksVersion: 0n }, { headers: r.headers });
  assert.ok(ok.tasksVersion > 0n);
});

test("a deleted runner is unregistered from its next call on", async () => {
  const r = await h.register("gone", ["linux"]);
  await r.fetch(0n);
  assert.equal(h.coordinator.runners.delete(Number(r.id)), true);
  assert.equal(h.coordinator.runners.delete(Number(r.id)), false);
  await rejects(r.fetch(0n), Code.Unauthenticated, /unregistered runner/);
  assert.equal(
    h.coordinator.runners.list().some((x) => x.uuid === r.uuid),
    false,
  );
});
