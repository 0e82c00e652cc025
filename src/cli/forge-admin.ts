import { PoolError } from "../lib/index.js";

interface GiteaRunner {
  id: number;
  name: string;
}

/**
 * Deletes a runner on a Gitea/Forgejo through its admin API (the runner protocol has no call for
 * it). `runner` is a name or an id; returns the id deleted.
 */
export async function deleteForgeRunner(
  forgeUrl: string,
  adminToken: string,
  runner: string,
  signal: AbortSignal,
): Promise<number> {
  const base = `${forgeUrl.replace(/\/+$/, "")}/api/v1/admin/actions/runners`;
  const headers = { authorization: `token ${adminToken}`, accept: "application/json" };
  let id = /^\d+$/.test(runner) ? Number(runner) : undefined;
  if (id === undefined) {
    const res = await fetch(`${base}?limit=200`, { headers, signal });
    if (!res.ok) {
      throw new PoolError(
        "FORGE_ERROR",
        `listing runners on ${forgeUrl} failed: HTTP ${res.status}: check forge.admin_token_file`,
      );
    }
    const body = (await res.json()) as { runners?: GiteaRunner[] } | GiteaRunner[];
    const list = Array.isArray(body) ? body : (body.runners ?? []);
    id = list.find((r) => r.name === runner)?.id;
    if (id === undefined) throw new PoolError("NOT_FOUND", `no runner named "${runner}" on ${forgeUrl}`);
  }
  const res = await fetch(`${base}/${id}`, { method: "DELETE", headers, signal });
  if (!res.ok && res.status !== 404) {
    throw new PoolError("FORGE_ERROR", `deleting runner ${id} on ${forgeUrl} failed: HTTP ${res.status}`);
  }
  return id;
}
