import { type ErrorCode, errorMessage, PoolError } from "../lib/index.js";
import { API_PREFIX, type ApiError, type ApiLogLine, type ApiRoutes } from "./api-types.js";

export interface ApiClientOptions {
  /** Where `up` serves (its admin.json `url`). */
  url: string;
  /** The admin token; sent with every request (reads from loopback do not need it). */
  token?: string;
  signal?: AbortSignal;
}

type Route = keyof ApiRoutes;

const KNOWN: ReadonlySet<string> = new Set<ErrorCode>([
  "NOT_FOUND",
  "INVALID_ARGUMENT",
  "WORKFLOW_INVALID",
  "FORGE_UNIMPLEMENTED",
]);

async function failure(res: Response): Promise<PoolError> {
  const body = (await res.json().catch(() => undefined)) as Partial<ApiError> | undefined;
  const code = body?.error?.code ?? "INTERNAL";
  const message = body?.error?.message ?? `HTTP ${res.status}`;
  return new PoolError(KNOWN.has(code) ? (code as ErrorCode) : "INVALID_ARGUMENT", `${message} [${code}]`);
}

/** The CLI's side of the operator API: typed by the same ApiRoutes the server answers with. */
export function createApiClient(o: ApiClientOptions) {
  const request = async (method: string, path: string, body?: unknown): Promise<Response> => {
    try {
      const res = await fetch(`${o.url}${API_PREFIX}${path}`, {
        method,
        headers: {
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      if (!res.ok) throw await failure(res);
      return res;
    } catch (err) {
      if (err instanceof PoolError) throw err;
      throw new PoolError(
        "NOT_FOUND",
        `the pool at ${o.url} does not answer (${errorMessage(err)}): is \`runnerpool up\` running?`,
      );
    }
  };
  /** Fills `:id` of the route with `id`. */
  const pathOf = (route: Route, id?: number) => route.slice(route.indexOf(" ") + 1).replace(":id", String(id ?? ""));
  return {
    async get<R extends Route>(route: R, id?: number, query = ""): Promise<ApiRoutes[R]["response"]> {
      return (await request("GET", `${pathOf(route, id)}${query}`)).json() as Promise<ApiRoutes[R]["response"]>;
    },
    async post<R extends Route>(
      route: R,
      body: ApiRoutes[R]["request"],
      id?: number,
    ): Promise<ApiRoutes[R]["response"]> {
      return (await request("POST", pathOf(route, id), body ?? {})).json() as Promise<ApiRoutes[R]["response"]>;
    },
    /** Calls `onLine` for every NDJSON line of a job's log; resolves with the last line once the server ends it. */
    async logs(jobId: number, follow: boolean, onLine: (line: ApiLogLine) => void): Promise<ApiLogLine | undefined> {
      const res = await request("GET", `jobs/${jobId}/logs${follow ? "?follow=1" : ""}`);
      let last: ApiLogLine | undefined;
      let rest = "";
      const decoder = new TextDecoder();
      for await (const chunk of res.body ?? []) {
        rest += decoder.decode(chunk as Uint8Array, { stream: true });
        for (let nl = rest.indexOf("\n"); nl >= 0; nl = rest.indexOf("\n")) {
          const text = rest.slice(0, nl);
          rest = rest.slice(nl + 1);
          if (text.trim() === "") continue;
          last = JSON.parse(text) as ApiLogLine;
          onLine(last);
        }
      }
      return last;
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
