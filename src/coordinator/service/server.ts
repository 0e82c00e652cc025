import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { PoolError } from "../../lib/index.js";

/** A request handler that answers the requests it recognises and returns false for the rest. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** What the server needs of a coordinator: its routes, and its URL to learn once listening. */
export interface ServedCoordinator {
  readonly handler: RouteHandler;
  readonly serverUrl: string | undefined;
  setServerUrl(url: string): void;
}

export interface CoordinatorServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Closes the server when aborted. */
  signal?: AbortSignal;
  /** More routes on the same server (git hosting, dashboard), tried in order after the runner protocol. */
  handlers?: RouteHandler[];
}

export interface CoordinatorServer {
  /** e.g. http://127.0.0.1:39123 (no trailing slash). */
  url: string;
  close(): Promise<void>;
}

/** Serves the coordinator over HTTP/1.1; unknown paths get 404. */
export async function startCoordinatorServer(
  coordinator: ServedCoordinator,
  options: CoordinatorServerOptions = {},
): Promise<CoordinatorServer> {
  const host = options.host ?? "127.0.0.1";
  const handlers = [coordinator.handler, ...(options.handlers ?? [])];
  const server = createServer((req, res) => {
    try {
      for (const h of handlers) if (h(req, res)) return;
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    } catch {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end();
    }
  });
  // A held-open FetchTask lasts up to MAX_WAIT_MS; keep idle runner connections around between polls.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) =>
      reject(
        new PoolError("INVALID_ARGUMENT", `cannot listen on ${host}:${options.port ?? 0}: ${err.message}`, {
          cause: err,
        }),
      );
    server.once("error", onError);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  if (coordinator.serverUrl === undefined) coordinator.setServerUrl(url);

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      options.signal?.removeEventListener("abort", onAbort);
      server.close(() => resolve());
      // Held-open fetches and keep-alive sockets would otherwise hold close() up to MAX_WAIT_MS.
      server.closeAllConnections();
    });
    return closing;
  };
  const onAbort = () => void close();
  if (options.signal?.aborted) await close();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  return { url, close };
}
