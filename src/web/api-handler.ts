import type { IncomingMessage, ServerResponse } from "node:http";
import {
  hasBearer,
  isLocalRequest,
  isPoolError,
  type Logger,
  PoolError,
  readJsonBody,
  sendJson,
  silentLogger,
} from "../lib/index.js";
import { apiRoutes, type RouteInput, runsOf } from "./api-routes.js";
import { API_PREFIX, type ApiError, type ApiErrorCode } from "./api-types.js";
import { streamJobLog } from "./log-stream.js";
import type { OperatorSources } from "./operator-ports.js";

export interface OperatorApiOptions {
  /** The admin token (`<state dir>/admin-token`): every write needs it, and every read from beyond loopback. */
  token: string;
  logger?: Logger;
}

const HTTP_STATUS: Partial<Record<ApiErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  CONFIG_INVALID: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  ALREADY_EXISTS: 409,
  WORKFLOW_INVALID: 422,
  FORGE_UNIMPLEMENTED: 501,
};

function fail(res: ServerResponse, code: ApiErrorCode, message: string): void {
  sendJson(res, HTTP_STATUS[code] ?? 500, { error: { code, message } } satisfies ApiError);
}

/** `runs/12/rerun` -> route key `POST runs/:id/rerun` and id 12. */
function routeOf(method: string, path: string): { key: string; id: number } {
  const parts = path.split("/");
  const idAt = parts.findIndex((p) => /^\d+$/.test(p));
  if (idAt < 0) return { key: `${method} ${path}`, id: 0 };
  const id = Number(parts[idAt]);
  parts[idAt] = ":id";
  return { key: `${method} ${parts.join("/")}`, id };
}

/**
 * The operator API under /api/v1/ (docs/api.md): reads from loopback need no token, writes and any
 * caller beyond loopback need the admin token. Errors are `{error: {code, message}}` with a stable code.
 * Returns false for paths it does not serve.
 */
export function createOperatorApi(sources: OperatorSources, options: OperatorApiOptions) {
  const logger = options.logger ?? silentLogger;
  const routes: Partial<Record<string, (input: RouteInput) => unknown>> = apiRoutes(sources);
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!url.pathname.startsWith(API_PREFIX)) return false;
    const method = req.method ?? "GET";
    const path = url.pathname.slice(API_PREFIX.length).replace(/\/$/, "");
    const write = method !== "GET" && method !== "HEAD";
    const authorized = hasBearer(req, options.token);
    if (!authorized && (write || !isLocalRequest(req))) {
      fail(res, "UNAUTHENTICATED", "this request needs the admin token: Authorization: Bearer <state_dir>/admin-token");
      return true;
    }
    void serve(req, res, { method, path, query: url.searchParams, write }).catch((err: unknown) => {
      const e = PoolError.from(err);
      if (!isPoolError(err)) logger.error({ err }, "operator API request failed");
      if (res.headersSent) res.end();
      else fail(res, e.code, e.message);
    });
    return true;
  };

  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    r: { method: string; path: string; query: URLSearchParams; write: boolean },
  ): Promise<void> {
    const { key, id } = routeOf(r.method === "HEAD" ? "GET" : r.method, r.path);
    if (key === "GET jobs/:id/logs") {
      const runs = runsOf(sources);
      const job = runs.getJob(id);
      if (!job) throw new PoolError("NOT_FOUND", `no job ${id}: see \`runnerpool runs show RUN\``);
      const follow = r.query.get("follow") === "1" || r.query.get("follow") === "true";
      const sse = (req.headers.accept ?? "").includes("text/event-stream");
      streamJobLog(res, runs, job, { follow, from: Number(r.query.get("from") ?? 0) || 0, sse });
      return;
    }
    const route = routes[key];
    if (!route) {
      const other = routeOf(r.write ? "GET" : "POST", r.path).key;
      if (other in routes || other === "GET jobs/:id/logs")
        return fail(res, "METHOD_NOT_ALLOWED", `${r.method} is not allowed on ${API_PREFIX}${r.path}`);
      throw new PoolError("NOT_FOUND", `no route ${r.method} ${API_PREFIX}${r.path}: see docs/api.md`);
    }
    const body = r.write ? await readJsonBody(req) : {};
    sendJson(res, 200, await route({ id, query: r.query, body }));
  }
}

export type OperatorApi = ReturnType<typeof createOperatorApi>;
