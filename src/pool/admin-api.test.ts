import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { PoolError } from "../lib/index.js";
import { adminToken, createAdminHandler, publishAdminUrl } from "./admin-api.js";
import { callAdmin } from "./admin-client.js";
import type { Runbook } from "./runbook.js";

const stateDir = mkdtempSync(join(tmpdir(), "rp-admin-"));
const runbook: Runbook = {
  status: () => ({ forge: "http://forge.invalid", embedded: false, roles: [] }),
  add: (role) => ({ added: role }),
  drain: async (target) => {
    if (target === "nope") throw new PoolError("NOT_FOUND", `no role or live instance "${target}"`);
    return { drained: [`${target}-1`] };
  },
  rotateToken: async ({ cycle }) => ({ rotated: true, source: "test", cycled: cycle ? ["a-1"] : [] }),
  decommission: async (runner) => ({ decommissioned: runner, id: 7 }),
};
const handler = createAdminHandler(runbook, adminToken(stateDir));
const server = createServer((req, res) => {
  if (!handler(req, res)) res.writeHead(404).end();
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
publishAdminUrl(stateDir, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
after(() => {
  server.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const signal = () => AbortSignal.timeout(5000);

test("the CLI's client and the admin API answer each action with its typed result", async () => {
  assert.deepEqual(await callAdmin(stateDir, "status", undefined, signal()), {
    forge: "http://forge.invalid",
    embedded: false,
    roles: [],
  });
  assert.deepEqual(await callAdmin(stateDir, "drain", { target: "linux" }, signal()), { drained: ["linux-1"] });
  assert.deepEqual(await callAdmin(stateDir, "rotate-token", { cycle: true }, signal()), {
    rotated: true,
    source: "test",
    cycled: ["a-1"],
  });
  assert.deepEqual(await callAdmin(stateDir, "decommission", { runner: "laptop" }, signal()), {
    decommissioned: "laptop",
    id: 7,
  });
});

test("an action's error reaches the client with its code", async () => {
  await assert.rejects(callAdmin(stateDir, "drain", { target: "nope" }, signal()), {
    code: "NOT_FOUND",
    message: /no role or live instance "nope"/,
  });
});

test("without a running pool the client says how to start one", async () => {
  const empty = mkdtempSync(join(tmpdir(), "rp-admin-none-"));
  after(() => rmSync(empty, { recursive: true, force: true }));
  await assert.rejects(callAdmin(empty, "status", undefined, signal()), /no running pool found/);
});
