import assert from "node:assert/strict";
import { test } from "node:test";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter, createRouterTransport, type Interceptor } from "@connectrpc/connect";
import { isPoolError, isValidUtf8 } from "../lib/index.js";
import { createForgeClient, type ForgeClient } from "./client.js";
import { PingService } from "./gen/ping/v1/services_pb.js";
import { Result, RunnerSchema, type UpdateLogRequest } from "./gen/runner/v1/messages_pb.js";
import { RunnerService } from "./gen/runner/v1/services_pb.js";
import { TOKEN_HEADER, UUID_HEADER, WAIT_HEADER } from "./headers.js";

const signal = new AbortController().signal;
const URL = "http://127.0.0.1:3000";

function inMemory(routes: (router: ConnectRouter) => void, interceptors: Interceptor[] = []): ForgeClient {
  const transport = createRouterTransport(routes, { transport: { interceptors } });
  return createForgeClient({ url: URL, version: "1.2.3", transport });
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    assert.ok(isPoolError(err), `expected a PoolError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected rejection with ${code}`);
}

test("pings and returns the forge's answer", async () => {
  const client = inMemory((r) => r.service(PingService, { ping: (req) => ({ data: `Hello, ${req.data}!` }) }));
  assert.equal(await client.ping("runner", signal), "Hello, runner!");
});

test("registers with the label names in both labels and deprecated agent_labels, without credentials", async () => {
  let seen:
    | { agent: string[]; labels: string[]; uuid: string | null; token: string | null; ua: string | null }
    | undefined;
  const client = inMemory((r) =>
    r.rpc(RunnerService.method.register, (req, ctx) => {
      seen = {
        agent: req.agentLabels,
        labels: req.labels,
        uuid: ctx.requestHeader.get(UUID_HEADER),
        token: ctx.requestHeader.get(TOKEN_HEADER),
        ua: ctx.requestHeader.get("user-agent"),
      };
      assert.equal(req.name, "r1");
      assert.equal(req.token, "regtok");
      assert.equal(req.ephemeral, true);
      assert.deepEqual(req.capabilities, ["cancelling"]);
      return { runner: { id: 4n, uuid: "u-1", token: "secret", name: req.name } };
    }),
  );
  const runner = await client.register(
    {
      name: "r1",
      token: "regtok",
      labels: ["linux", "x64"],
      version: "1.2.3",
      ephemeral: true,
      capabilities: ["cancelling"],
    },
    signal,
  );
  assert.equal(runner.uuid, "u-1");
  assert.equal(runner.token, "secret");
  assert.deepEqual(seen, {
    agent: ["linux", "x64"],
    labels: ["linux", "x64"],
    uuid: null,
    token: null,
    ua: "runnerpool/1.2.3",
  });
});

test("sends the runner uuid and token once given credentials", async () => {
  const seen: (string | null)[][] = [];
  const client = inMemory((r) =>
    r.rpc(RunnerService.method.declare, (req, ctx) => {
      seen.push([ctx.requestHeader.get(UUID_HEADER), ctx.requestHeader.get(TOKEN_HEADER)]);
      return { runner: { uuid: "u-1", labels: req.labels, version: req.version } };
    }),
  );
  const runner = await client.withCredentials("u-1", "secret").declare({ version: "v2", labels: ["a"] }, signal);
  assert.deepEqual(runner.labels, ["a"]);
  await client.withCredentials("", "").declare({ version: "v2", labels: [] }, signal);
  assert.deepEqual(seen, [
    ["u-1", "secret"],
    [null, null],
  ]);
});

test("sends the wait header and stretches the timeout only when waitMs is positive", async () => {
  const seen: [string | null, number | undefined][] = [];
  const routes = (r: ConnectRouter) =>
    r.rpc(RunnerService.method.fetchTask, (req, ctx) => {
      seen.push([ctx.requestHeader.get(WAIT_HEADER), ctx.timeoutMs()]);
      return { tasksVersion: req.tasksVersion + 1n };
    });
  const client = createForgeClient({ url: URL, timeoutMs: 1000, transport: createRouterTransport(routes) });
  assert.deepEqual(await client.fetchTask(5n, signal), { task: undefined, tasksVersion: 6n });
  await client.fetchTask(5n, signal, 20_000);
  const [[noWait, shortTimeout], [wait, longTimeout]] = seen as [[string | null, number], [string | null, number]];
  assert.equal(noWait, null);
  assert.ok(shortTimeout <= 1000, `timeout ${shortTimeout}`);
  assert.equal(wait, "20000");
  assert.ok(longTimeout > 20_000 && longTimeout <= 21_000, `timeout ${longTimeout}`);
});

test("returns a fetched task and the forge's tasks_version", async () => {
  const client = inMemory((r) =>
    r.rpc(RunnerService.method.fetchTask, () => ({ task: { id: 9n, vars: { A: "b" } }, tasksVersion: 12n })),
  );
  const { task, tasksVersion } = await client.fetchTask(0n, signal);
  assert.equal(task?.id, 9n);
  assert.deepEqual(task?.vars, { A: "b" });
  assert.equal(tasksVersion, 12n);
});

test("updates a task and returns the forge's result and acknowledged outputs", async () => {
  const client = inMemory((r) =>
    r.rpc(RunnerService.method.updateTask, (req) => {
      assert.equal(req.state?.steps[0]?.logLength, 2n);
      assert.deepEqual(req.outputs, { out: "\uFFFD" });
      return { state: { id: req.state?.id ?? 0n, result: Result.CANCELLED }, sentOutputs: Object.keys(req.outputs) };
    }),
  );
  const res = await client.updateTask({ id: 3n, steps: [{ id: 0n, logLength: 2n }] }, { out: "\uD800" }, signal);
  assert.deepEqual(res, { result: Result.CANCELLED, sentOutputs: ["out"] });
});

test("sanitises a lone surrogate in a log row before it is encoded", async () => {
  let sentContent: string | undefined;
  // Sees the message the client built, before the encoder would silently fix it.
  const spy: Interceptor = (next) => async (req) => {
    if (req.method.name === "UpdateLog") sentContent = (req.message as UpdateLogRequest).rows[0]?.content;
    return next(req);
  };
  let received: UpdateLogRequest | undefined;
  const client = inMemory(
    (r) =>
      r.rpc(RunnerService.method.updateLog, (req) => {
        received = req;
        return { ackIndex: req.index + BigInt(req.rows.length) };
      }),
    [spy],
  );
  const time = new Date(1_700_000_000_500);
  const ack = await client.updateLog(
    { taskId: 1n, index: 4n, rows: [{ time, content: "a\uD83Db" }], noMore: true },
    signal,
  );
  assert.equal(ack, 5n);
  assert.ok(sentContent !== undefined && isValidUtf8(sentContent));
  assert.equal(received?.rows[0]?.content, "a\uFFFDb");
  assert.equal(received?.rows[0]?.time?.seconds, 1_700_000_000n);
  assert.equal(received?.rows[0]?.time?.nanos, 500_000_000);
  assert.equal(received?.noMore, true);
});

test("maps Gitea's Code.Unknown 'code = Unauthenticated' error to FORGE_UNAUTHENTICATED", async () => {
  const client = inMemory((r) =>
    r.rpc(RunnerService.method.fetchTask, () => {
      throw new ConnectError("rpc error: code = Unauthenticated desc = unregistered runner", Code.Unknown);
    }),
  );
  await rejectsWith(client.fetchTask(0n, signal), "FORGE_UNAUTHENTICATED");
});

test("maps a real Code.AlreadyExists to FORGE_ALREADY_EXISTS", async () => {
  const client = inMemory((r) =>
    r.rpc(RunnerService.method.updateLog, () => {
      throw new ConnectError("log file has been archived", Code.AlreadyExists);
    }),
  );
  await rejectsWith(
    client.updateLog({ taskId: 1n, index: 0n, rows: [], noMore: false }, signal),
    "FORGE_ALREADY_EXISTS",
  );
});

test("reports a method the forge lacks as FORGE_UNIMPLEMENTED", async () => {
  const client = inMemory((r) => r.service(PingService, { ping: (req) => ({ data: req.data }) }));
  await rejectsWith(client.declare({ version: "v", labels: [] }, signal), "FORGE_UNIMPLEMENTED");
});

test("reports a register response without a runner as FORGE_ERROR", async () => {
  const client = inMemory((r) => r.rpc(RunnerService.method.register, () => ({})));
  await rejectsWith(client.register({ name: "n", token: "t", labels: [], version: "v" }, signal), "FORGE_ERROR");
});

test("cancels a call in flight when its signal aborts", async () => {
  let entered!: () => void;
  const inHandler = new Promise<void>((resolve) => {
    entered = resolve;
  });
  let handlerSawAbort = false;
  const client = inMemory((r) =>
    r.rpc(RunnerService.method.fetchTask, async (_req, ctx) => {
      entered();
      await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
      handlerSawAbort = true;
      return {};
    }),
  );
  const ac = new AbortController();
  const call = client.fetchTask(0n, ac.signal);
  await inHandler;
  ac.abort();
  await rejectsWith(call, "TASK_CANCELLED");
  assert.equal(handlerSawAbort, true);
});

test("gives up after timeoutMs with FORGE_UNAVAILABLE", async () => {
  const client = createForgeClient({
    url: URL,
    timeoutMs: 50,
    transport: createRouterTransport((r) =>
      r.rpc(RunnerService.method.fetchTask, async (_req, ctx) => {
        await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
        return {};
      }),
    ),
  });
  await rejectsWith(client.fetchTask(0n, signal), "FORGE_UNAVAILABLE");
});

test("rejects a forge url that is not http(s) with CONFIG_INVALID", () => {
  assert.throws(
    () => createForgeClient({ url: "ftp://x" }),
    (e) => isPoolError(e, "CONFIG_INVALID"),
  );
  assert.throws(
    () => createForgeClient({ url: "not a url" }),
    (e) => isPoolError(e, "CONFIG_INVALID"),
  );
});

test("decodes the Runner the forge returns with every field", async () => {
  const full = create(RunnerSchema, {
    id: 1n,
    uuid: "u",
    token: "t",
    name: "n",
    version: "v",
    labels: ["l"],
    ephemeral: true,
  });
  const client = inMemory((r) => r.rpc(RunnerService.method.declare, () => ({ runner: full })));
  assert.deepEqual(await client.declare({ version: "v", labels: ["l"] }, signal), full);
});
