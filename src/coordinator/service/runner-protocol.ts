import { Code, ConnectError, type ConnectRouter, type Interceptor, type ServiceImpl } from "@connectrpc/connect";
import { API_PREFIX, PingService, RunnerService } from "../../protocol/index.js";
import { connectAdapter } from "./connect-adapter.js";
import { createPingService } from "./ping-service.js";
import type { RouteHandler } from "./server.js";

const SERVICE_PATHS = [`${API_PREFIX}/${RunnerService.typeName}/`, `${API_PREFIX}/${PingService.typeName}/`];

const KIB = 1024;
/**
 * The largest request body each RPC reads, enforced while it is read and before the runner is
 * authenticated: a larger one ends in resource_exhausted without being buffered. UpdateLog carries up
 * to 100 rows of at most 64 KiB, UpdateTask outputs of up to 1 MiB each; the rest are small.
 */
export const READ_MAX_BYTES: Readonly<Record<string, number>> = {
  register: 64 * KIB,
  declare: 64 * KIB,
  fetchTask: 64 * KIB,
  updateTask: 16 * KIB * KIB,
  updateLog: 16 * KIB * KIB,
};
/** Any other route of the protocol (ping). */
const DEFAULT_READ_MAX_BYTES = 64 * KIB;

export interface RunnerProtocol {
  /** The Connect routes, for `createRouterTransport(routes)` in tests. */
  routes: (router: ConnectRouter) => void;
  /** Serves the runner and ping services (POST only); returns false for every other path. */
  handler: RouteHandler;
}

/** The runner protocol over HTTP: the runner service and the ping service, refused once closed. */
export function createRunnerProtocol(
  runnerService: ServiceImpl<typeof RunnerService>,
  closed: () => boolean,
  shutdownSignal: AbortSignal,
): RunnerProtocol {
  // After close the database is gone: answer Unavailable (runners retry) instead of an internal error.
  const refuseWhenClosed: Interceptor = (next) => (req) => {
    if (closed()) throw new ConnectError("coordinator is shutting down", Code.Unavailable);
    return next(req);
  };
  const routes = (router: ConnectRouter) => {
    for (const method of RunnerService.methods) {
      const impl = runnerService[method.localName as keyof typeof runnerService] as
        | ((...args: never[]) => unknown)
        | undefined;
      if (impl === undefined) continue;
      router.rpc(method, impl.bind(runnerService) as never, {
        interceptors: [refuseWhenClosed],
        readMaxBytes: READ_MAX_BYTES[method.localName] ?? DEFAULT_READ_MAX_BYTES,
      });
    }
    router.service(PingService, createPingService());
  };
  // No response compression (connectAdapter): runners reach the embedded coordinator over loopback or a
  // LAN, where gzip costs more time than it saves (it was a tenth of the pickup path).
  const adapter = connectAdapter({
    routes,
    requestPathPrefix: API_PREFIX,
    shutdownSignal,
    readMaxBytes: DEFAULT_READ_MAX_BYTES,
  });
  const handler: RouteHandler = (req, res) => {
    const path = (req.url ?? "").split("?", 1)[0] ?? "";
    if (!SERVICE_PATHS.some((p) => path.startsWith(p))) return false;
    if (req.method !== "POST") {
      // Gitea registers these routes for POST only.
      res.writeHead(405, { allow: "POST" }).end();
      return true;
    }
    adapter(req, res);
    return true;
  };
  return { routes, handler };
}
