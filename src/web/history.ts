import type { ApiSample } from "./api-types.js";
import type { OperatorSources } from "./operator-ports.js";

/**
 * Samples of queue wait and slot use per role, taken every `intervalMs` and kept for `keep` samples,
 * so the dashboard's charts show the last hour on first load instead of starting empty.
 */
export function createHistory(sources: OperatorSources, intervalMs = 5_000, keep = 720) {
  const samples: ApiSample[] = [];
  const take = (): void => {
    const now = Date.now();
    const status = sources.pool.status();
    const roles: ApiSample["roles"] = {};
    for (const r of status.roles) roles[r.name] = { busy: r.busySlots, idle: r.idleSlots, queued: 0, waitS: 0 };
    for (const g of status.queue ?? []) {
      const role = g.roles?.[0] ?? "none";
      const entry = roles[role] ?? { busy: 0, idle: 0, queued: 0, waitS: 0 };
      roles[role] = entry;
      entry.queued += g.jobIds.length;
      entry.waitS = Math.max(entry.waitS, Math.max(0, (now - Date.parse(g.oldestQueuedAt)) / 1000));
    }
    samples.push({ at: now, roles });
    if (samples.length > keep) samples.shift();
  };
  take();
  const timer = setInterval(take, intervalMs);
  // Sampling never keeps `up` alive.
  timer.unref();
  return {
    intervalMs,
    /** The samples so far, oldest first, with one taken now. */
    samples(): ApiSample[] {
      take();
      return [...samples];
    },
    stop: () => clearInterval(timer),
  };
}
