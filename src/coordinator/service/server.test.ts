import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, test } from "node:test";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { plannedJob, runInput, runnerOf, until } from "../../../test/support/coordinator-harness.js";
import { API_PREFIX, PingService, Result, RunnerService } from "../../protocol/index.js";
import { type Coordinator, createCoordinator } from "../coordinator.js";
import { type CoordinatorServer, startCoordinatorServer } from "./server.js";

let coordinator: Coordinator;
let server: CoordinatorServer;

before(async () => {
  coordinator = createCoordinator({ dbPath: ":memory:" });
  server = await startCoordinatorServer(coordinator, {
    handlers: [
      (req, res) => {
        if (req.url !== "/extra") return false;
        res.writeHead(200, { "content-type": "text/plain" }).end("extra");
        return true;
      },
    ],
  });
});
after(async () => {
  await server.close();
  coordinator.close();
});

function clients() {
  const transport = createConnectTransport({ baseUrl: `${server.url}${API_PREFIX}`, httpVersion: "1.1" });
  return { runner: createClient(RunnerService, transport), ping: createClient(PingService, transport) };
}

function get(path: string, method = "GET"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        body += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("the server listens on 127.0.0.1 and becomes the coordinator's server_url", () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(coordinator.serverUrl, `${server.url}/`);
});

test("a runner registers, holds a fetch open and runs a job over real HTTP", async () => {
  const { runner, ping } = clients();
  assert.equal((await ping.ping({ data: "x" })).data, "Hello, x!");
  const reg = await runner.register({
    name: "http-1",
    token: coordinator.runners.registrationToken(),
    labels: ["http"],
  });
  const r = runnerOf(runner, reg.runner!.id, reg.runner!.uuid, reg.runner!.token);
  const { tasksVersion } = await r.fetch(0n);
  const pending = r.fetch(tasksVersion, 20_000);
  await until(() => coordinator.read.heldFetches() === 1);
  const start = performance.now();
  const { runId } = coordinator.runs.create(runInput([plannedJob("job", { runsOn: ["http"] })]));
  const res = await pending;
  const elapsed = performance.now() - start;
  assert.ok(res.task);
  assert.ok(elapsed < 10_000, `the fetch waited out its hold (${elapsed.toFixed(0)} ms)`);
  assert.equal(res.task.context!.server_url, `${server.url}/`);
  await r.finish(res.task, Result.SUCCESS, { out: "ok" });
  const run = await coordinator.runs.waitForRun(runId, AbortSignal.timeout(5_000));
  assert.equal(run.status, "success");
  assert.deepEqual(coordinator.read.jobLog(run.jobs[0]!.id), ["hello"]);
});

test("unknown paths get 404, a GET on a service path gets 405", async () => {
  assert.equal((await get("/nope")).status, 404);
  assert.equal((await get(`${API_PREFIX}/runner.v1.RunnerService/Nope`, "POST")).status, 404);
  const wrongMethod = await get(`${API_PREFIX}/ping.v1.PingService/Ping`);
  assert.equal(wrongMethod.status, 405);
});

test("extra route handlers are served from the same server", async () => {
  assert.deepEqual(await get("/extra"), { status: 200, body: "extra" });
});

test("closing the server releases a held-open fetch at once", async () => {
  const c = createCoordinator({ dbPath: ":memory:" });
  const s = await startCoordinatorServer(c);
  try {
    const transport = createConnectTransport({ baseUrl: `${s.url}${API_PREFIX}`, httpVersion: "1.1" });
    const client = createClient(RunnerService, transport);
    const reg = await client.register({ name: "closing", token: c.runners.registrationToken(), labels: ["x"] });
    const r = runnerOf(client, reg.runner!.id, reg.runner!.uuid, reg.runner!.token);
    const { tasksVersion } = await r.fetch(0n);
    const pending = r.fetch(tasksVersion, 30_000).then(
      () => "answered",
      () => "failed",
    );
    await until(() => c.read.heldFetches() === 1);
    const start = performance.now();
    await s.close();
    await pending;
    assert.ok(performance.now() - start < 1_000);
    await until(() => c.read.heldFetches() === 0);
  } finally {
    await s.close();
    c.close();
  }
});

test("an aborted signal closes the server", async () => {
  const c = createCoordinator({ dbPath: ":memory:" });
  const ctl = new AbortController();
  const s = await startCoordinatorServer(c, { signal: ctl.signal });
  try {
    assert.equal((await fetch(`${s.url}/x`)).status, 404);
    ctl.abort();
    // Aborting stops the listener synchronously; the connection is refused from then on.
    await assert.rejects(fetch(`${s.url}/x`));
  } finally {
    await s.close();
    c.close();
  }
});
