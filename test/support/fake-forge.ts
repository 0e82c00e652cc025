import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createRouterTransport, type HandlerContext } from "@connectrpc/connect";
import {
  createForgeClient,
  type FetchTaskRequest,
  PingService,
  Result,
  RunnerSchema,
  RunnerService,
  type Task,
  TaskSchema,
  type TaskState,
  type UpdateLogRequest,
  type UpdateTaskRequest,
  WAIT_HEADER,
} from "../../src/protocol/index.js";
import type { RunnerForge } from "../../src/runner/index.js";

// An in-memory RunnerService that behaves like Gitea
// (tasks_version, ack/gap rules, archive on no_more, first-output-wins, final results stick) and lets a
// test inject faults. Faults are the only reason it exists; happy paths should also run on the coordinator.

export interface FakeTask {
  id: bigint;
  rows: string[];
  archived: boolean;
  /** Every TaskState received, in order. */
  states: TaskState[];
  outputs: Map<string, string>;
  result: Result;
  /** The server ended the task (cancel) before the runner did. */
  cancelled: boolean;
}

export interface FakeCall {
  method: string;
  headers: Headers;
  request: unknown;
}

export interface FakeFaults {
  /** Throw from FetchTask (n = 1-based call number). */
  fetchTask?: (n: number, req: FetchTaskRequest) => Error | undefined;
  /** Throw, or answer with a chosen ack instead of the real one (nothing is stored then). */
  updateLog?: (req: UpdateLogRequest, task: FakeTask) => Error | { ack: bigint } | undefined;
  /** Throw, or drop the outputs of this request (they are not stored, so not in sent_outputs). */
  updateTask?: (req: UpdateTaskRequest, task: FakeTask) => Error | "drop-outputs" | undefined;
  declare?: () => Error | undefined;
}

export const FAKE_UUID = "6f1c8a5e-27a4-4d3f-9b0e-2f4f7d6f3a10";
export const FAKE_TOKEN = "0123456789abcdef0123456789abcdef01234567";
export const FAKE_REGISTRATION_TOKEN = "registration-token";

export class FakeForge {
  readonly calls: FakeCall[] = [];
  /** "log:<id>:no_more" and "task:<id>:final" markers, in arrival order. */
  readonly events: string[] = [];
  readonly tasks = new Map<bigint, FakeTask>();
  readonly faults: FakeFaults = {};
  version = 1n;
  /** Simulate a deleted runner: Gitea-style `unknown` error carrying "code = Unauthenticated". */
  unregistered = false;
  /** Hold FetchTask calls that carry the wait header while there is nothing to hand out (our coordinator); false = Gitea. */
  holdLongPolls = true;
  private readonly queue: Task[] = [];
  private nextId = 1n;
  private fetchCount = 0;
  private wakeHeld: (() => void)[] = [];
  readonly transport = createRouterTransport((router) => {
    router.service(PingService, { ping: (req) => ({ data: `Hello, ${req.data}!` }) });
    router.service(RunnerService, {
      register: (req, ctx) => {
        this.record("Register", ctx, req);
        if (req.token !== FAKE_REGISTRATION_TOKEN) {
          throw new ConnectError("runner registration token not found", Code.Unknown);
        }
        const runner = create(RunnerSchema, {
          id: 7n,
          uuid: FAKE_UUID,
          token: FAKE_TOKEN,
          name: req.name,
          version: req.version,
          labels: req.labels,
          ephemeral: req.ephemeral,
        });
        return { runner };
      },
      declare: (req, ctx) => {
        this.auth("Declare", ctx, req);
        const err = this.faults.declare?.();
        if (err) throw err;
        return { runner: create(RunnerSchema, { id: 7n, uuid: FAKE_UUID, labels: req.labels, version: req.version }) };
      },
      fetchTask: (req, ctx) => this.fetchTask(req, ctx),
      updateTask: (req, ctx) => this.updateTask(req, ctx),
      updateLog: (req, ctx) => this.updateLog(req, ctx),
    });
  });

  /** A RunnerForge (the real protocol client) speaking to this fake. */
  client(credentials = true): RunnerForge {
    return createForgeClient({
      url: "http://fake.invalid",
      transport: this.transport,
      ...(credentials ? { uuid: FAKE_UUID, token: FAKE_TOKEN } : {}),
    });
  }

  /** Queues a task with a workflow of `steps` run steps; bumps tasks_version like a new run does. */
  addTask(steps = 1, init: Partial<Omit<Task, "$typeName">> = {}): Task {
    const list = Array.from({ length: steps }, (_, i) => `      - run: echo ${i}`).join("\n");
    const payload = `name: t\non: push\njobs:\n  build:\n    runs-on: linux\n    steps:\n${list}\n`;
    const task = create(TaskSchema, {
      id: this.nextId++,
      workflowPayload: new TextEncoder().encode(payload),
      context: { repository: "o/r", token: "task-token" },
      ...init,
    });
    this.queue.push(task);
    this.version++;
    for (const wake of this.wakeHeld.splice(0)) wake();
    return task;
  }

  /** A task already assigned to the runner (as if fetched), for tests that start at the reporter. */
  assign(steps = 1, init: Partial<Omit<Task, "$typeName">> = {}): Task {
    const task = this.addTask(steps, init);
    this.queue.splice(this.queue.indexOf(task), 1);
    this.version--;
    this.tasks.set(task.id, newRecord(task.id));
    return task;
  }

  /** The server-side cancel of Gitea ≤ 1.26: the task is final at once; the runner learns it from UpdateTask. */
  cancel(id: bigint): void {
    const t = this.task(id);
    t.cancelled = true;
    t.result = Result.CANCELLED;
  }

  task(id: bigint): FakeTask {
    const t = this.tasks.get(id);
    if (!t) throw new Error(`fake forge has no task ${id}`);
    return t;
  }

  callsOf(method: string): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  private async fetchTask(req: FetchTaskRequest, ctx: HandlerContext) {
    this.auth("FetchTask", ctx, req);
    const n = ++this.fetchCount;
    const err = this.faults.fetchTask?.(n, req);
    if (err) throw err;
    const wait = Number(ctx.requestHeader.get(WAIT_HEADER) ?? 0);
    if (this.holdLongPolls && wait > 0 && this.queue.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        this.wakeHeld.push(done);
        ctx.signal.addEventListener("abort", done, { once: true });
      });
    }
    if (req.tasksVersion === this.version) return { tasksVersion: this.version };
    const task = this.queue.shift();
    if (task) {
      this.tasks.set(task.id, newRecord(task.id));
    }
    return { task, tasksVersion: this.version };
  }

  private updateTask(req: UpdateTaskRequest, ctx: HandlerContext) {
    this.auth("UpdateTask", ctx, req);
    const t = this.task(req.state?.id ?? 0n);
    const fault = this.faults.updateTask?.(req, t);
    if (fault instanceof Error) throw fault;
    if (req.state) t.states.push(req.state);
    if (fault !== "drop-outputs") {
      for (const [k, v] of Object.entries(req.outputs)) if (!t.outputs.has(k)) t.outputs.set(k, v);
    }
    const result = req.state?.result ?? Result.UNSPECIFIED;
    if (result !== Result.UNSPECIFIED) {
      this.events.push(`task:${t.id}:final`);
      if (t.result === Result.UNSPECIFIED) t.result = result;
    }
    return { state: { id: t.id, result: t.result }, sentOutputs: [...t.outputs.keys()] };
  }

  private updateLog(req: UpdateLogRequest, ctx: HandlerContext) {
    this.auth("UpdateLog", ctx, req);
    const t = this.task(req.taskId);
    const fault = this.faults.updateLog?.(req, t);
    if (fault instanceof Error) throw fault;
    if (fault) return { ackIndex: fault.ack };
    if (t.archived) throw new ConnectError("log file has been archived", Code.AlreadyExists);
    const ack = BigInt(t.rows.length);
    if (req.index > ack) return { ackIndex: ack };
    const fresh = req.rows.slice(Number(ack - req.index));
    t.rows.push(...fresh.map((r) => r.content));
    if (req.noMore) {
      t.archived = true;
      this.events.push(`log:${t.id}:no_more`);
    }
    return { ackIndex: BigInt(t.rows.length) };
  }

  private auth(method: string, ctx: HandlerContext, request: unknown): void {
    this.record(method, ctx, request);
    const ok =
      ctx.requestHeader.get("x-runner-uuid") === FAKE_UUID && ctx.requestHeader.get("x-runner-token") === FAKE_TOKEN;
    if (this.unregistered || !ok) {
      throw new ConnectError("rpc error: code = Unauthenticated desc = unregistered runner", Code.Unknown);
    }
  }

  private record(method: string, ctx: HandlerContext, request: unknown): void {
    this.calls.push({ method, headers: new Headers(ctx.requestHeader), request });
  }
}

function newRecord(id: bigint): FakeTask {
  return {
    id,
    rows: [],
    archived: false,
    states: [],
    outputs: new Map(),
    result: Result.UNSPECIFIED,
    cancelled: false,
  };
}
