// The client over real HTTP on 127.0.0.1: once against connect-node's own handler, once against plain
// handlers that answer the way Gitea does on the wire.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { compressionGzip, connectNodeAdapter } from "@connectrpc/connect-node";
import { isPoolError } from "../lib/index.js";
import { createForgeClient } from "./client.js";
import { isRetryable } from "./codes.js";
import { RunnerService } from "./gen/runner/v1/services_pb.js";
import { TOKEN_HEADER, UUID_HEADER, WAIT_HEADER } from "./headers.js";

const signal = new AbortController().signal;

interface Seen {
  path: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

async function serve(
  t: { after(fn: () => Promise<void>): void },
  handler: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const s: Seen = { path: req.url, headers: req.headers, body: Buffer.alloc(0) };
    seen.push(s);
    handler(req, res, s);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, seen };
}

/** A plain handler that buffers the request body, then answers with fixed status, headers and body. */
function answer(status: number, contentType: string, body: Uint8Array | string, extra: http.OutgoingHttpHeaders = {}) {
  return (req: http.IncomingMessage, res: http.ServerResponse, s: Seen) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      s.body = Buffer.concat(chunks);
      res.writeHead(status, { "content-type": contentType, ...extra });
      res.end(body);
    });
  };
}

test("talks binary Connect over HTTP with credentials, the wait header and gzip accepted", async (t) => {
  const yaml = "jobs:\n".padEnd(4000, "x");
  const payload = new TextEncoder().encode(yaml);
  const routes = (r: ConnectRouter) => {
    r.rpc(RunnerService.method.register, (req) => ({ runner: { uuid: "u-1", token: "secret", name: req.name } }));
    r.rpc(RunnerService.method.fetchTask, () => ({ task: { id: 1n, workflowPayload: payload }, tasksVersion: 2n }));
  };
  // Like Gitea: gzip only, for responses of 1 KiB and more.
  const adapter = connectNodeAdapter({
    routes,
    requestPathPrefix: "/api/actions",
    acceptCompression: [compressionGzip],
  });
  const { url, seen } = await serve(t, (req, res) => adapter(req, res));
  const client = createForgeClient({ url, version: "0.9.0" });

  const runner = await client.register({ name: "r", token: "reg", labels: ["linux"], version: "0.9.0" }, signal);
  const authed = client.withCredentials(runner.uuid, runner.token);
  await authed.fetchTask(0n, signal);
  const { task } = await authed.fetchTask(0n, signal, 1500);
  assert.equal(new TextDecoder().decode(task?.workflowPayload), yaml);

  const [register, fetchNoWait, fetchWait] = seen as [Seen, Seen, Seen];
  assert.equal(register.path, "/api/actions/runner.v1.RunnerService/Register");
  assert.equal(register.headers["content-type"], "application/proto");
  assert.equal(register.headers["user-agent"], "runnerpool/0.9.0");
  assert.equal(register.headers[UUID_HEADER], undefined);
  assert.equal(register.headers[TOKEN_HEADER], undefined);
  assert.equal(fetchNoWait.path, "/api/actions/runner.v1.RunnerService/FetchTask");
  assert.equal(fetchNoWait.headers[UUID_HEADER], "u-1");
  assert.equal(fetchNoWait.headers[TOKEN_HEADER], "secret");
  assert.equal(fetchNoWait.headers[WAIT_HEADER], undefined);
  assert.equal(fetchWait.headers[WAIT_HEADER], "1500");
  assert.match(String(fetchWait.headers["accept-encoding"]), /gzip/);
});

test("sends the exact Register bytes and reads a hand-made response from a non-connect server", async (t) => {
  const response = Buffer.from("0a08" + "0801" + "120175" + "1a0174", "hex"); // 1 runner {1 id 1, 2 uuid "u", 3 token "t"}
  const { url, seen } = await serve(t, answer(200, "application/proto", response));
  const client = createForgeClient({ url });
  const runner = await client.register(
    { name: "r1", token: "tok", labels: ["x"], version: "1.0", ephemeral: true, capabilities: ["cancelling"] },
    signal,
  );
  assert.deepEqual([runner.id, runner.uuid, runner.token], [1n, "u", "t"]);
  const want = [
    "0a02" + "7231", // 1 name "r1"
    "1203" + "746f6b", // 2 token "tok"
    "1a01" + "78", // 3 agent_labels ["x"] for Gitea <= 1.21
    "2a03" + "312e30", // 5 version "1.0"
    "3201" + "78", // 6 labels ["x"]
    "3801", // 7 ephemeral true
    "420a" + "63616e63656c6c696e67", // 8 capabilities ["cancelling"]
  ].join("");
  assert.equal(seen[0]?.body.toString("hex"), want);
});

test("reads a gzip-compressed response the way Gitea sends large ones", async (t) => {
  const yaml = "on: push\n".padEnd(3000, "#");
  const task = Buffer.concat([
    Buffer.from("0801", "hex"), // 1 id 1
    Buffer.from("12b817", "hex"), // 2 workflow_payload, 3000 bytes (varint b8 17)
    Buffer.from(yaml),
  ]);
  const body = Buffer.concat([
    Buffer.from("0abd17", "hex"), // 1 task, 2 + 3 + 3000 = 3005 bytes (varint bd 17)
    task,
    Buffer.from("1007", "hex"), // 2 tasks_version 7
  ]);
  const { url } = await serve(t, answer(200, "application/proto", gzipSync(body), { "content-encoding": "gzip" }));
  const res = await createForgeClient({ url, uuid: "u", token: "t" }).fetchTask(0n, signal);
  assert.equal(res.tasksVersion, 7n);
  assert.equal(new TextDecoder().decode(res.task?.workflowPayload), yaml);
});

test("maps Gitea's HTTP 500 'unknown' error with a gRPC status text to FORGE_UNAUTHENTICATED", async (t) => {
  const body = JSON.stringify({
    code: "unknown",
    message: "rpc error: code = Unauthenticated desc = unregistered runner",
  });
  const { url } = await serve(t, answer(500, "application/json", body));
  const client = createForgeClient({ url, uuid: "u", token: "t" });
  await assert.rejects(client.fetchTask(0n, signal), (e) => isPoolError(e, "FORGE_UNAUTHENTICATED"));
});

test("maps a handler's Code.Unknown gRPC text through connect-node to FORGE_UNAUTHENTICATED", async (t) => {
  const adapter = connectNodeAdapter({
    requestPathPrefix: "/api/actions",
    routes: (r) =>
      r.rpc(RunnerService.method.updateTask, () => {
        throw new ConnectError("rpc error: code = Unauthenticated desc = unregistered runner", Code.Unknown);
      }),
  });
  const { url } = await serve(t, (req, res) => adapter(req, res));
  const client = createForgeClient({ url, uuid: "u", token: "t" });
  await assert.rejects(client.updateTask({ id: 1n }, {}, signal), (e) => isPoolError(e, "FORGE_UNAUTHENTICATED"));
});

test("maps old Gitea's plain 404 for Declare to FORGE_UNIMPLEMENTED", async (t) => {
  const { url } = await serve(t, answer(404, "text/plain; charset=utf-8", "404 page not found\n"));
  const client = createForgeClient({ url, uuid: "u", token: "t" });
  await assert.rejects(client.declare({ version: "v", labels: [] }, signal), (e) =>
    isPoolError(e, "FORGE_UNIMPLEMENTED"),
  );
});

test("maps a refused connection to a retryable FORGE_UNAVAILABLE", async () => {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const client = createForgeClient({ url: `http://127.0.0.1:${port}` });
  await assert.rejects(client.ping("x", signal), (e) => isPoolError(e, "FORGE_UNAVAILABLE") && isRetryable(e));
});
