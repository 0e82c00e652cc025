import { readFileSync } from "node:fs";
import { join } from "node:path";
import { errorMessage, PoolError } from "../lib/index.js";
import {
  ADMIN_PREFIX,
  ADMIN_TOKEN_FILE,
  ADMIN_URL_FILE,
  type AdminAction,
  type AdminActions,
  type AdminError,
} from "./admin-api.js";

/** Where the `up` that owns this state directory serves its APIs, and the admin token it wants. */
export function findAdmin(stateDir: string): { url: string; token: string } {
  try {
    const { url } = JSON.parse(readFileSync(join(stateDir, ADMIN_URL_FILE), "utf8")) as { url: string };
    return { url, token: readFileSync(join(stateDir, ADMIN_TOKEN_FILE), "utf8").trim() };
  } catch {
    throw new PoolError(
      "NOT_FOUND",
      `no running pool found in "${stateDir}": start it with \`runnerpool up --config FILE\` (same config)`,
    );
  }
}

/** Calls the admin API of the `up` that owns this state directory; a request body makes it a POST. */
export async function callAdmin<A extends AdminAction>(
  stateDir: string,
  action: A,
  request: AdminActions[A]["request"],
  signal: AbortSignal,
): Promise<AdminActions[A]["response"]> {
  const { url, token } = findAdmin(stateDir);
  let res: Response;
  try {
    res = await fetch(`${url}${ADMIN_PREFIX}${action}`, {
      method: request === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(request === undefined ? {} : { body: JSON.stringify(request) }),
      signal,
    });
  } catch (err) {
    throw new PoolError(
      "NOT_FOUND",
      `the pool at ${url} does not answer (${errorMessage(err)}): is \`runnerpool up\` running?`,
    );
  }
  const answer = (await res.json().catch(() => ({}))) as AdminActions[A]["response"] & Partial<AdminError>;
  if (!res.ok) {
    throw new PoolError(res.status === 404 ? "NOT_FOUND" : "INVALID_ARGUMENT", answer.error ?? `HTTP ${res.status}`);
  }
  return answer;
}
