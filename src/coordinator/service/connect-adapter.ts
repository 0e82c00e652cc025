import type { IncomingMessage, ServerResponse } from "node:http";
import { Code, ConnectError, type ConnectRouter, createConnectRouter } from "@connectrpc/connect";
import type { UniversalServerResponse } from "@connectrpc/connect/protocol";
import { universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";

export interface ConnectAdapterOptions {
  routes: (router: ConnectRouter) => void;
  requestPathPrefix: string;
  shutdownSignal: AbortSignal;
  /** Default for routes that set none. */
  readMaxBytes: number;
}

/**
 * connect-node's adapter, with one correction: connect-es answers a request body that is not valid
 * protobuf with `internal` (HTTP 500), as if the server had failed; it is the caller's fault, so it
 * becomes `invalid_argument` (HTTP 400), like Go's connect and a malformed JSON body already are.
 */
export function connectAdapter(options: ConnectAdapterOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const router = createConnectRouter({
    acceptCompression: [],
    readMaxBytes: options.readMaxBytes,
    shutdownSignal: options.shutdownSignal,
  });
  options.routes(router);
  const paths = new Map(router.handlers.map((h) => [options.requestPathPrefix + h.requestPath, h]));
  return (req, res) => {
    const handler = paths.get((req.url ?? "").split("?", 1)[0] ?? "");
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    handler(universalRequestFromNodeRequest(req, res, undefined, undefined))
      .then(blameTheCaller)
      .then((uRes) => universalResponseToNodeResponse(uRes, res))
      .catch((reason: unknown) => {
        if (ConnectError.from(reason).code !== Code.Aborted && !res.headersSent) res.writeHead(500).end();
      });
  };
}

/** A connect unary error is a small JSON body; only `internal` ones about parsing are rewritten. */
async function blameTheCaller(uRes: UniversalServerResponse): Promise<UniversalServerResponse> {
  if (uRes.status !== 500 || !uRes.header?.get("content-type")?.startsWith("application/json") || !uRes.body) {
    return uRes;
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of uRes.body) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString("utf8");
  let error: { code?: unknown; message?: unknown } | undefined;
  try {
    error = JSON.parse(text) as { code?: unknown; message?: unknown };
  } catch {
    error = undefined;
  }
  const parseError =
    error?.code === "internal" && typeof error.message === "string" && error.message.startsWith("parse binary:");
  const body = parseError
    ? JSON.stringify({ code: "invalid_argument", message: `malformed request: ${error?.message}` })
    : text;
  const header = new Headers(uRes.header);
  header.set("content-length", String(Buffer.byteLength(body)));
  return {
    ...uRes,
    status: parseError ? 400 : uRes.status,
    header,
    body: (async function* () {
      yield new TextEncoder().encode(body);
    })(),
  };
}
