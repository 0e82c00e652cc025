function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function stringList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.filter((x) => x !== null && x !== undefined).map((x) => String(x));
  return [String(v)];
}

/** `runs-on`: string | list | {group, labels} → labels, then group (act's RunsOnFromNode order). */
export function normaliseRunsOn(v: unknown): string[] {
  if (isRecord(v)) {
    const out = stringList(v.labels);
    if (v.group !== undefined && v.group !== null) out.push(String(v.group));
    return out;
  }
  return stringList(v);
}

/** `on:` as a string, a list of names, or a mapping → event name → filter mapping. */
export function normaliseOn(v: unknown): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  if (typeof v === "string") out[v] = {};
  else if (Array.isArray(v)) for (const e of v) out[String(e)] = {};
  else if (isRecord(v)) {
    for (const [name, filter] of Object.entries(v)) {
      if (isRecord(filter)) out[name] = filter;
      // `schedule: [{cron: ...}]` is a list; keep the crons under one key.
      else if (Array.isArray(filter)) out[name] = { cron: filter.map((f) => (isRecord(f) ? f.cron : f)) };
      else out[name] = {};
    }
  }
  return out;
}
