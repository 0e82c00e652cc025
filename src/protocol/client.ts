import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type CallOptions, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { PoolError, toValidUtf8 } from "../lib/index.js";
import { forgeErrorFrom } from "./codes.js";
import { PingService } from "./gen/ping/v1/services_pb.js";
import { Result, type Runner, type Task, type TaskStateSchema } from "./gen/runner/v1/messages_pb.js";
import { RunnerService } from "./gen/runner/v1/services_pb.js";
import { API_PREFIX, REQUEST_KEY_HEADER, TOKEN_HEADER, UUID_HEADER, WAIT_HEADER } from "./headers.js";

export interface ForgeClientOptions {
  /** Instance root URL, e.g. "http://127.0.0.1:3000"; RPCs go to <url>/api/actions/... */
  url: string;
  /** Sent as x-runner-uuid / x-runner-token when non-empty. */
  uuid?: string;
  token?: string;
  /** Runner version, for the User-Agent "runnerpool/<version>". */
  version?: string;
  /** Per-call timeout; default 60000 like act_runner's HTTP client. */
  timeoutMs?: number;
  /** For tests (createRouterTransport); default: connect-node, binary protobuf over HTTP/1.1. */
  transport?: Transport;
}

export interface RegisterInput {
  name: string;
  /** The registration token. */
  token: string;
  /** Label names only; the scheme part of "name:docker://image" stays on the runner. */
  labels: string[];
  version: string;
  ephemeral?: boolean;
  capabilities?: string[];
}

export interface DeclareInput {
  version: string;
  /** Replaces the runner's whole label set on the forge; an empty list clears it. */
  labels: string[];
  capabilities?: string[];
}

export interface LogRowInput {
  time: Date;
  content: string;
}

export interface UpdateLogInput {
  taskId: bigint;
  /** Task-wide index of rows[0]. */
  index: bigint;
  rows: LogRowInput[];
  noMore: boolean;
}

export interface FetchTaskResult {
  task: Task | undefined;
  tasksVersion: bigint;
}

export interface UpdateTaskResult {
  /** The forge's view of the task; anything but UNSPECIFIED means the forge ended it. */
  result: Result;
  /** Keys of all outputs the forge holds for the task. */
  sentOutputs: string[];
}

/** The runner side of the Gitea/Forgejo runner protocol. Every method throws only PoolError. */
export interface ForgeClient {
  ping(data: string, signal: AbortSignal): Promise<string>;
  register(req: RegisterInput, signal: AbortSignal): Promise<Runner>;
  declare(req: DeclareInput, signal: AbortSignal): Promise<Runner>;
  /** waitMs > 0 asks a runnerpool coordinator to hold the call open that long (WAIT_HEADER). */
  /** `requestKey` goes out as `x-runner-request-key` (Forgejo's retry key; Gitea ignores it). */
  fetchTask(tasksVersion: bigint, signal: AbortSignal, waitMs?: number, requestKey?: string): Promise<FetchTaskResult>;
  updateTask(
    state: MessageInitShape<typeof TaskStateSchema>,
    outputs: Record<string, string>,
    signal: AbortSignal,
  ): Promise<UpdateTaskResult>;
  /** Returns ack_index, the number of rows the forge now holds. */
  updateLog(req: UpdateLogInput, signal: AbortSignal): Promise<bigint>;
  /** The same client (and connection) speaking as another runner. */
  withCredentials(uuid: string, token: string): ForgeClient;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

export function createForgeClient(options: ForgeClientOptions): ForgeClient {
  const transport =
    options.transport ??
    createConnectTransport({ baseUrl: apiBaseUrl(options.url), httpVersion: "1.1", useBinaryFormat: true });
  return clientOver(transport, options);
}

/** "<url>/api/actions" with the trailing slashes of url dropped; rejects anything but http(s). */
export function apiBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw new PoolError("CONFIG_INVALID", `forge url "${url}" is not a URL; use e.g. "https://gitea.example.com"`, {
      cause: err,
    });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new PoolError(
      "CONFIG_INVALID",
      `forge url "${url}" is not http or https; use e.g. "https://gitea.example.com"`,
    );
  }
  return url.replace(/\/+$/, "") + API_PREFIX;
}

function headersOf(options: ForgeClientOptions, userAgent: string, wait: number, requestKey?: string): Headers {
  const headers = new Headers({ "User-Agent": userAgent });
  if (options.uuid) headers.set(UUID_HEADER, options.uuid);
  if (options.token) headers.set(TOKEN_HEADER, options.token);
  if (wait > 0) headers.set(WAIT_HEADER, String(wait));
  if (requestKey) headers.set(REQUEST_KEY_HEADER, requestKey);
  return headers;
}

function clientOver(transport: Transport, options: ForgeClientOptions): ForgeClient {
  const runnerService = createClient(RunnerService, transport);
  const pingService = createClient(PingService, transport);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const userAgent = options.version ? `runnerpool/${options.version}` : "runnerpool";

  async function call<T>(
    procedure: string,
    signal: AbortSignal,
    send: (opts: CallOptions) => Promise<T>,
    waitMs = 0,
    requestKey?: string,
  ): Promise<T> {
    const wait = waitMs > 0 ? Math.ceil(waitMs) : 0;
    try {
      // Inside the try: Headers throws a TypeError on a non-Latin-1 uuid or token.
      const headers = headersOf(options, userAgent, wait, requestKey);
      return await send({ signal, headers, timeoutMs: timeoutMs + wait });
    } catch (err) {
      if (signal.aborted)
        throw new PoolError("TASK_CANCELLED", `forge call "${procedure}" was cancelled`, { cause: err });
      throw forgeErrorFrom(err, procedure);
    }
  }

  function runnerOf(procedure: string, runner: Runner | undefined): Runner {
    if (runner === undefined) throw new PoolError("FORGE_ERROR", `forge answered "${procedure}" without a runner`);
    return runner;
  }

  return {
    async ping(data, signal) {
      const res = await call("Ping", signal, (o) => pingService.ping({ data: toValidUtf8(data) }, o));
      return res.data;
    },

    async register(req, signal) {
      const labels = validStrings(req.labels);
      const res = await call("Register", signal, (o) =>
        runnerService.register(
          {
            name: toValidUtf8(req.name),
            token: toValidUtf8(req.token),
            // Gitea <= 1.20 reads only agent_labels and 1.21 falls back to it, so send both like act_runner.
            agentLabels: labels,
            version: toValidUtf8(req.version),
            labels,
            ephemeral: req.ephemeral ?? false,
            capabilities: validStrings(req.capabilities ?? []),
          },
          o,
        ),
      );
      return runnerOf("Register", res.runner);
    },

    async declare(req, signal) {
      const res = await call("Declare", signal, (o) =>
        runnerService.declare(
          {
            version: toValidUtf8(req.version),
            labels: validStrings(req.labels),
            capabilities: validStrings(req.capabilities ?? []),
          },
          o,
        ),
      );
      return runnerOf("Declare", res.runner);
    },

    async fetchTask(tasksVersion, signal, waitMs = 0, requestKey = undefined) {
      const fetch = (o: CallOptions) => runnerService.fetchTask({ tasksVersion }, o);
      const res = await call("FetchTask", signal, fetch, waitMs, requestKey);
      return { task: res.task, tasksVersion: res.tasksVersion };
    },

    async updateTask(state, outputs, signal) {
      const validOutputs: Record<string, string> = {};
      for (const [k, v] of Object.entries(outputs)) validOutputs[toValidUtf8(k)] = toValidUtf8(v);
      const res = await call("UpdateTask", signal, (o) =>
        runnerService.updateTask({ state, outputs: validOutputs }, o),
      );
      return { result: res.state?.result ?? Result.UNSPECIFIED, sentOutputs: res.sentOutputs };
    },

    async updateLog(req, signal) {
      const rows = req.rows.map((r) => ({ time: timestampFromDate(r.time), content: toValidUtf8(r.content) }));
      const res = await call("UpdateLog", signal, (o) =>
        runnerService.updateLog({ taskId: req.taskId, index: req.index, rows, noMore: req.noMore }, o),
      );
      return res.ackIndex;
    },

    withCredentials(uuid, token) {
      return clientOver(transport, { ...options, uuid, token });
    },
  };
}

function validStrings(xs: readonly string[]): string[] {
  return xs.map(toValidUtf8);
}
