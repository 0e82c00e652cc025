import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { PoolError } from "./errors.js";

const MAX_BODY = 64 * 1024;

/** A caller on this machine: what the operator APIs trust for reads and require for the admin API. */
export function isLoopback(address: string | undefined): boolean {
  return address === "::1" || address?.startsWith("127.") === true || address?.startsWith("::ffff:127.") === true;
}

/**
 * A request from this machine addressed to a loopback name: what the operator API trusts for reads
 * without a token. The Host check keeps a web page whose name was rebound to 127.0.0.1 (DNS
 * rebinding) from reading logs through a browser on this machine.
 */
export function isLocalRequest(req: IncomingMessage): boolean {
  if (!isLoopback(req.socket.remoteAddress)) return false;
  const host = (req.headers.host ?? "").toLowerCase();
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":", 1)[0];
  return name === "localhost" || name === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(name ?? "");
}

/** Whether the request carries `Bearer <expected>`, compared in constant time. */
export function hasBearer(req: IncomingMessage, expected: string): boolean {
  const auth = req.headers.authorization ?? "";
  if (!auth.startsWith("Bearer ")) return false;
  const a = Buffer.from(auth.slice(7));
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { "content-type": "application/json", "cache-control": "no-store" })
    .end(`${JSON.stringify(body)}\n`);
}

/** A JSON object body of at most 64 KiB; an empty body is `{}`. */
export function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
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
