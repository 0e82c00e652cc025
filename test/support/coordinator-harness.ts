import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Client, createClient, createRouterTransport, type Transport } from "@connectrpc/connect";
import { type Coordinator, type CoordinatorOptions, createCoordinator } from "../../src/coordinator/coordinator.js";
import {
  LogRowSchema,
  PingService,
  Result,
  RunnerService,
  type StepState,
  StepStateSchema,
  type Task,
  TOKEN_HEADER,
  UUID_HEADER,
  WAIT_HEADER,
} from "../../src/protocol/index.js";
import type { PlannedJob, TriggerEvent } from "../../src/workflow/index.js";

/** Test support: a coordinator on :memory: wired to real Connect clients through createRouterTransport. */
export interface Harness {
  coordinator: Coordinator;
  transport: Transport;
  client: Client<typeof RunnerService>;
  ping: Client<typeof PingService>;
  register(name: string, labels: string[], options?: { ephemeral?: boolean }): Promise<TestRunner>;
  close(): void;
}

export interface TestRunner {
  id: bigint;
  uuid: string;
  token: string;
  headers: Record<string, string>;
  fetch(
    tasksVersion?: bigint,
    waitMs?: number,
    signal?: AbortSignal,
  ): ReturnType<Client<typeof RunnerService>["fetchTask"]>;
  /** Fetches with version 0 and fails the test when nothing comes. */
  take(): Promise<Task>;
  update(
    taskId: bigint,
    result?: Result,
    options?: { outputs?: Record<string, string>; steps?: StepState[] },
  ): ReturnType<Client<typeof RunnerService>["updateTask"]>;
  log(
    taskId: bigint,
    index: number,
    lines: string[],
    noMore?: boolean,
  ): ReturnType<Client<typeof RunnerService>["updateLog"]>;
  /** Runs a task to the end: log rows, every step with `result`, outputs, final state. */
  finish(task: Task, result: Result, outputs?: Record<string, string>): Promise<void>;
}

export function createHarness(options: Partial<CoordinatorOptions> = {}): Harness {
  const coordinator = createCoordinator({ dbPath: ":memory:", serverUrl: "http://forge.test/", ...options });
  const transport = createRouterTransport(coordinator.routes);
  const client = createClient(RunnerService, transport);
  const ping = createClient(PingService, transport);
  return {
    coordinator,
    transport,
    client,
    ping,
    async register(name, labels, o = {}) {
      const res = await client.register({
        name,
        token: coordinator.runners.registrationToken(),
        labels,
        version: "v-test",
        ephemeral: o.ephemeral ?? false,
      });
      const r = res.runner!;
      return runnerOf(client, r.id, r.uuid, r.token);
    },
    close: () => coordinator.close(),
  };
}

export function runnerOf(client: Client<typeof RunnerService>, id: bigint, uuid: string, token: string): TestRunner {
  const headers = { [UUID_HEADER]: uuid, [TOKEN_HEADER]: token };
  const self: TestRunner = {
    id,
    uuid,
    token,
    headers,
    fetch: (tasksVersion = 0n, waitMs = 0, signal) =>
      client.fetchTask(
        { tasksVersion },
        { headers: waitMs > 0 ? { ...headers, [WAIT_HEADER]: String(waitMs) } : headers, signal },
      ),
    async take() {
      const res = await self.fetch(0n);
      if (!res.task) throw new Error(`runner ${uuid} got no task`);
      return res.task;
    },
    update: (taskId, result = Result.UNSPECIFIED, o = {}) =>
      client.updateTask(
        {
          state: {
            id: taskId,
            result,
            ...(result === Result.UNSPECIFIED ? {} : { stoppedAt: timestampFromMs(Date.now()) }),
            steps: o.steps ?? [],
          },
          outputs: o.outputs ?? {},
        },
        { headers },
      ),
    log: (taskId, index, lines, noMore = false) =>
      client.updateLog(
        {
          taskId,
          index: BigInt(index),
          rows: lines.map((content) => create(LogRowSchema, { time: timestampFromMs(Date.now()), content })),
          noMore,
        },
        { headers },
      ),
    async finish(task, result, outputs = {}) {
      const steps = stepCount(task);
      await self.log(task.id, 0, ["hello"], true);
      await self.update(task.id, result, {
        outputs,
        steps: Array.from({ length: steps }, (_, i) =>
          create(StepStateSchema, {
            id: BigInt(i),
            result,
            startedAt: timestampFromMs(Date.now()),
            stoppedAt: timestampFromMs(Date.now()),
          }),
        ),
      });
    },
  };
  return self;
}

function stepCount(task: Task): number {
  const text = new TextDecoder().decode(task.workflowPayload);
  return (text.match(/^\s+- (run|uses|name):/gm) ?? []).length;
}

export interface JobSpec {
  runsOn?: string[];
  needs?: string[];
  if?: string | boolean;
  name?: string;
  matrix?: Record<string, unknown>;
  steps?: string[];
}

/** A minimal planned job whose payload is a single-job workflow like Gitea's. */
export function plannedJob(jobId: string, spec: JobSpec = {}): PlannedJob {
  const runsOn = spec.runsOn ?? ["linux"];
  const steps = spec.steps ?? ["echo hi"];
  const payload = [
    "name: test",
    "on: push",
    "jobs:",
    `  ${jobId}:`,
    `    runs-on: [${runsOn.join(", ")}]`,
    ...(spec.if === undefined ? [] : [`    if: ${JSON.stringify(spec.if)}`]),
    "    steps:",
    ...steps.map((s) => `      - run: ${JSON.stringify(s)}`),
    "",
  ].join("\n");
  return {
    jobId,
    name: spec.name ?? jobId,
    matrix: spec.matrix ?? {},
    runsOn,
    needs: spec.needs ?? [],
    ...(spec.if === undefined ? {} : { if: spec.if }),
    payload,
  };
}

export const pushEvent: TriggerEvent = {
  name: "push",
  ref: "refs/heads/main",
  sha: "0123456789abcdef0123456789abcdef01234567",
};

export function runInput(
  jobs: PlannedJob[],
  extra: { secrets?: Record<string, string>; vars?: Record<string, string> } = {},
) {
  return {
    repo: "acme/app",
    workflowFile: "ci.yml",
    workflowName: "CI",
    event: pushEvent,
    jobs,
    actor: "alice",
    ...extra,
  };
}

/** Resolves once `cond` holds, checking on every macrotask; rejects after `ms`. */
export async function until(cond: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((r) => setImmediate(r));
  }
}
