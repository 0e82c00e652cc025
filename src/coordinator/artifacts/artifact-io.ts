import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { PoolError } from "../../lib/index.js";

/** Every route of the artifact API starts with this. */
export const ARTIFACT_API_PREFIX = "/api/runnerpool/v1/";

const MAX_JSON_BODY = 64 * 1024;

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(sha256(a), "hex");
  const y = Buffer.from(sha256(b), "hex");
  return timingSafeEqual(x, y);
}

export function bearer(req: IncomingMessage): string {
  const auth = req.headers.authorization ?? "";
  const m = /^Bearer\s+(\S+)$/i.exec(auth);
  if (!m?.[1]) {
    throw new PoolError("FORGE_UNAUTHENTICATED", "missing 'Authorization: Bearer <task token>': send the job's token");
  }
  return m[1];
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BODY) throw new PoolError("LIMIT_EXCEEDED", "request body is larger than 64 KiB");
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new PoolError("INVALID_ARGUMENT", "request body is not a JSON object");
}

export function segments(pathname: string): string[] {
  try {
    return pathname
      .slice(ARTIFACT_API_PREFIX.length)
      .split("/")
      .map((s) => decodeURIComponent(s));
  } catch {
    throw new PoolError("INVALID_ARGUMENT", `malformed percent-encoding in "${pathname}"`);
  }
}
