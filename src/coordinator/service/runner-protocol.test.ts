import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, test } from "node:test";
import { type Coordinator, createCoordinator } from "../coordinator.js";
import { READ_MAX_BYTES } from "./runner-protocol.js";
import { type CoordinatorServer, startCoordinatorServer } from "./server.js";

let coordinator: Coordinator;
let server: CoordinatorServer;
before(async () => {
  coordinator = createCoordinator({ dbPath: ":memory:" });
  server = await startCoordinatorServer(coordinator);
});
after(async () => {
  await server.close();
  coordinator.close();
});

/** POSTs `bytes` zero bytes in chunks (no content-length unless given), as an unauthenticated caller. */
function post(rpc: string, bytes: number, contentLength: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}/api/actions/runner.v1.RunnerService/${rpc}`,
      {
        method: "POST",
        headers: { "content-type": "application/proto", ...(contentLength ? { "content-length": bytes } : {}) },
      },
      (res) => {
        let body = "";
        res.on("data", (d: Buffer) => {
          body += d.toString();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", (err) => (/EPIPE|ECONNRESET/.test(err.message) ? undefined : reject(err)));
    const chunk = Buffer.alloc(64 * 1024);
    for (let sent = 0; sent < bytes; sent += chunk.length)
      req.write(chunk.subarray(0, Math.min(chunk.length, bytes - sent)));
    req.end();
  });
}

test("a body over its RPC's limit is refused with resource_exhausted before authentication", async () => {
  for (const contentLength of [true, false]) {
    const r = await post("FetchTask", (READ_MAX_BYTES.fetchTask ?? 0) + 1, contentLength);
    assert.equal(r.status, 429, r.body);
    assert.match(r.body, /"code":"resource_exhausted"/);
  }
});

test("UpdateLog may carry more than FetchTask: a 1 MiB body is read (and then fails authentication)", async () => {
  const r = await post("UpdateLog", 1024 * 1024, true);
  assert.notEqual(r.status, 429, r.body);
});

test("a body that is not protobuf is invalid_argument (400), not an internal error", async () => {
  const r = await fetch(`${server.url}/api/actions/runner.v1.RunnerService/FetchTask`, {
    method: "POST",
    headers: { "content-type": "application/proto" },
    body: new Uint8Array([0xff, 0xff, 0xff, 0x0f, 1, 2]),
  });
  assert.equal(r.status, 400);
  assert.match(await r.text(), /"code":"invalid_argument","message":"malformed request: parse binary/);
});

test("a well-formed request still reaches its handler (an unknown runner is unauthenticated)", async () => {
  const r = await fetch(`${server.url}/api/actions/runner.v1.RunnerService/FetchTask`, {
    method: "POST",
    headers: { "content-type": "application/proto" },
    body: new Uint8Array(),
  });
  assert.equal(r.status, 401);
  assert.match(await r.text(), /"code":"unauthenticated"/);
});
