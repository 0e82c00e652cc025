import assert from "node:assert/strict";
import { createServer, get, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { after, before, describe, test } from "node:test";
import { createCoordinator } from "../../coordinator/index.js";
import { silentLogger } from "../../lib/index.js";
import { createRunbook } from "../../pool/index.js";
import type { ApiError, ApiLogLine } from "../../web/index.js";
import { operatorSurface } from "./operator.js";

// The operator API's access rule and its stream formats over real HTTP, on the real coordinator.

const TOKEN = "t".repeat(64);
/** An address of this machine that is not loopback, to see what a remote caller gets. */
const outside = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === "IPv4" && !a.internal)?.address;

describe("the operator API served by up", () => {
  const coordinator = createCoordinator({ dbPath: ":memory:" });
  const runbook = createRunbook(
    () => undefined,
    {
      url: () => "http://forge.test",
      embedded: true,
      queue: () => coordinator.read.queueByLabels(),
      rotateToken: () => "",
      removeRunner: async () => ({ name: "", id: 0 }),
    },
    AbortSignal.timeout(60_000),
  );
  const { handler } = operatorSurface(coordinator, runbook, () => undefined, TOKEN, silentLogger);
  let server: Server;
  let port = 0;
  let runId = 0;
  before(async () => {
    server = createServer((req, res) => {
      if (!handler(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, outside ? "0.0.0.0" : "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
    const [o] = coordinator.runs.trigger({
      repo: "acme/app",
      workflows: [
        {
          file: ".gitea/workflows/ci.yml",
          source: "on: push\njobs:\n  a: { runs-on: [x], steps: [{ run: 'true' }] }\n",
        },
      ],
      event: { name: "push", ref: "refs/heads/main", sha: "a".repeat(40) },
    });
    runId = o?.runId ?? 0;
  });
  after(() => {
    server.close();
    coordinator.close();
  });
  const call = (path: string, init: RequestInit = {}, host = "127.0.0.1") =>
    fetch(`http://${host}:${port}${path}`, init);
  const code = async (res: Response) => ((await res.json()) as ApiError).error.code;

  test("from loopback reads need no token and writes need the admin token", async () => {
    assert.equal((await call("/api/v1/runs")).status, 200);
    const denied = await call(`/api/v1/runs/${runId}/cancel`, { method: "POST" });
    assert.equal(denied.status, 401);
    assert.equal(await code(denied), "UNAUTHENTICATED");
    const wrong = await call(`/api/v1/runs/${runId}/cancel`, {
      method: "POST",
      headers: { authorization: "Bearer nope" },
    });
    assert.equal(wrong.status, 401);
    const ok = await call(`/api/v1/runs/${runId}/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.deepEqual(await ok.json(), { cancelled: true });
  });

  test("a loopback caller that names another host (a rebound DNS name) needs the token to read", async () => {
    // fetch will not set Host, a browser after a rebinding does: plain node:http can.
    const statusAs = (path: string, host: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        get({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode);
        }).on("error", reject);
      });
    assert.equal(await statusAs("/api/v1/runs", "evil.example"), 401);
    assert.equal(await statusAs("/metrics", `evil.example:${port}`), 401);
    assert.equal(await statusAs("/api/v1/runs", `localhost:${port}`), 200);
  });

  test("from beyond loopback reads and metrics need the admin token too", {
    skip: outside ? false : "this machine has no non-loopback IPv4 address",
  }, async () => {
    const anon = await call("/api/v1/runs", {}, outside);
    assert.equal(anon.status, 401);
    assert.equal((await call("/metrics", {}, outside)).status, 401);
    const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
    assert.equal((await call("/api/v1/runs", auth, outside)).status, 200);
    assert.equal((await call("/metrics", auth, outside)).status, 200);
  });

  test("a wrong method or an unknown route is a JSON error with a stable code", async () => {
    const get = await call(`/api/v1/runs/${runId}/rerun`);
    assert.equal(get.status, 405);
    assert.equal(await code(get), "METHOD_NOT_ALLOWED");
    const none = await call("/api/v1/nothing");
    assert.equal(none.status, 404);
    assert.equal(await code(none), "NOT_FOUND");
  });

  test("a job's log comes as NDJSON, or as server-sent events for a browser, ending with how the job ended", async () => {
    const jobId = coordinator.read.getRun(runId)?.jobs[0]?.id ?? 0;
    const ndjson = (await (await call(`/api/v1/jobs/${jobId}/logs`)).text()).trim().split("\n");
    const lines = ndjson.map((l) => JSON.parse(l) as ApiLogLine);
    assert.deepEqual(lines.at(-1), { end: true, status: "cancelled", result: "cancelled", lines: lines.length - 1 });
    assert.ok(lines.some((l) => "text" in l && /job cancelled while waiting/.test(l.text)));
    const sse = await call(`/api/v1/jobs/${jobId}/logs?follow=1`, { headers: { accept: "text/event-stream" } });
    assert.equal(sse.headers.get("content-type"), "text/event-stream");
    assert.match(
      await sse.text(),
      /^data: \{"index":0,"text":"job cancelled while waiting"\}\n\n[\s\S]*data: \{"end":true/,
    );
  });
});
