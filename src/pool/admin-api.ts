import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import {
  hasBearer,
  isLoopback,
  isPoolError,
  type Logger,
  PoolError,
  readJsonBody,
  sendJson,
  silentLogger,
} from "../lib/index.js";
import type { AddResult, DecommissionResult, DrainResult, PoolStatus, RotateTokenResult, Runbook } from "./runbook.js";

/** Every action of the admin API (`/api/pool/<action>`): what the CLI sends and what the pool answers. */
export interface AdminActions {
  status: { request: undefined; response: PoolStatus };
  add: { request: { role: string }; response: AddResult };
  drain: { request: { target: string }; response: DrainResult };
  "rotate-token": { request: { cycle: boolean }; response: RotateTokenResult };
  decommission: { request: { runner: string }; response: DecommissionResult };
}

export type AdminAction = keyof AdminActions;

/** What a failed action answers, with an HTTP error status. */
export interface AdminError {
  error: string;
  code?: string;
}

/** In a pool's state directory: where its admin API listens (`{ url, pid }`) and the token it wants (mode 0600). */
export const ADMIN_URL_FILE = "admin.json";
export const ADMIN_TOKEN_FILE = "admin-token";

/** The admin token `pool` commands present; created once, mode 0600, kept across restarts. */
export function adminToken(stateDir: string): string {
  const file = join(stateDir, ADMIN_TOKEN_FILE);
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const token = randomBytes(32).toString("hex");
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** Tells `pool` commands where this process's admin API listens. */
export function publishAdminUrl(stateDir: string, url: string): void {
  writeFileSync(join(stateDir, ADMIN_URL_FILE), `${JSON.stringify({ url, pid: process.pid })}\n`, { mode: 0o600 });
}

export const ADMIN_PREFIX = "/api/pool/";

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
  runbook: Runbook,
  token: string,
  logger: Logger = silentLogger,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = (req.url ?? "").split("?", 1)[0] ?? "";
    if (!path.startsWith(ADMIN_PREFIX)) return false;
    if (!isLoopback(req.socket.remoteAddress)) {
      sendJson(res, 403, { error: "the pool admin API answers loopback callers only" });
      return true;
    }
    if (!hasBearer(req, token)) {
      sendJson(res, 401, { error: "missing or wrong admin token: read it from <state_dir>/admin-token" });
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
        const body = wantPost ? await readJsonBody(req) : {};
        let result: AdminActions[AdminAction]["response"];
        switch (action) {
          case "status":
            result = runbook.status();
            break;
          case "add":
            result = runbook.add(text(body, "role"));
            break;
          case "drain":
            result = await runbook.drain(text(body, "target"));
            break;
          case "rotate-token":
            result = await runbook.rotateToken({ cycle: body.cycle === true });
            break;
          case "decommission":
            result = await runbook.decommission(text(body, "runner"));
            break;
          default:
            sendJson(res, 404, { error: `unknown pool action "${action}"` });
            return;
        }
        sendJson(res, 200, result);
      } catch (err) {
        const e = PoolError.from(err);
        if (!isPoolError(err)) logger.error({ err }, "pool admin action failed");
        sendJson(res, STATUS_OF[e.code] ?? 500, { error: e.message, code: e.code } satisfies AdminError);
      }
    })();
    return true;
  };
}
