import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isPoolError, type Logger, PoolError, silentLogger } from "../lib/index.js";

/** What the runbook commands can ask a running pool; the CLI wires them to the supervisor and the forge. */
export interface AdminOperations {
  status(): unknown;
  add(role: string): unknown;
  drain(target: string): Promise<unknown>;
  rotateToken(options: { cycle: boolean }): Promise<unknown>;
  decommission(runner: string): Promise<unknown>;
}

export const ADMIN_PREFIX = "/api/pool/";
const MAX_BODY = 64 * 1024;

function isLoopback(address: string | undefined): boolean {
  return address === "::1" || address?.startsWith("127.") === true || address?.startsWith("::ffff:127.") === true;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { "content-type": "application/json", "cache-control": "no-store" })
    .end(`${JSON.stringify(body)}\n`);
}

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new PoolError("INVALID_ARGUMENT", "request body too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (text.trim() === "") return resolve({});
      try {
        const v = JSON.parse(text) as unknown;
        resolve(v !== null && typeof v === "object" ? (v as Record<string, unknown>) : {});
      } catch {
        reject(new PoolError("INVALID_ARGUMENT", "request body is not JSON"));
      }
    });
    req.on("error", reject);
  });
}

function text(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (typeof v !== "string" || v === "") throw new PoolError("INVALID_ARGUMENT", `"${key}" is required`);
  return v;
}

const STATUS_OF: Partial<Record<string, number>> = { INVALID_ARGUMENT: 400, NOT_FOUND: 404, CONFIG_INVALID: 400 };

/**
 * The pool's admin API under /api/pool/: loopback callers only, each with the bearer token from the
 * state directory's admin-token file (mode 0600). Returns false for paths it does not serve.
 */
export function createAdminHandler(
  ops: AdminOperations,
  token: string,
  logger: Logger = silentLogger,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = (req.url ?? "").split("?", 1)[0] ?? "";
    if (!path.startsWith(ADMIN_PREFIX)) return false;
    if (!isLoopback(req.socket.remoteAddress)) {
      send(res, 403, { error: "the pool admin API answers loopback callers only" });
      return true;
    }
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer ") || !sameToken(auth.slice(7), token)) {
      send(res, 401, { error: "missing or wrong admin token: read it from <state_dir>/admin-token" });
      return true;
    }
    const action = path.slice(ADMIN_PREFIX.length);
    const wantPost = action !== "status";
    if ((req.method === "POST") !== wantPost) {
      res.writeHead(405, { allow: wantPost ? "POST" : "GET" }).end();
      return true;
    }
    void (async () => {
      try {
        const body = wantPost ? await readBody(req) : {};
        let result: unknown;
        switch (action) {
          case "status":
            result = ops.status();
            break;
          case "add":
            result = ops.add(text(body, "role"));
            break;
          case "drain":
            result = await ops.drain(text(body, "target"));
            break;
          case "rotate-token":
            result = await ops.rotateToken({ cycle: body.cycle === true });
            break;
          case "decommission":
            result = await ops.decommission(text(body, "runner"));
            break;
          default:
            send(res, 404, { error: `unknown pool action "${action}"` });
            return;
        }
        send(res, 200, result ?? {});
      } catch (err) {
        const e = PoolError.from(err);
        if (!isPoolError(err)) logger.error({ err }, "pool admin action failed");
        send(res, STATUS_OF[e.code] ?? 500, { error: e.message, code: e.code });
      }
    })();
    return true;
  };
}
