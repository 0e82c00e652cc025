import { z } from "zod";

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/** "90s", "10m", "1h30m", "250ms" -> milliseconds; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (t === "") return undefined;
  let total = 0;
  let rest = t;
  while (rest !== "") {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * (DURATION_UNITS[m[2] as string] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

/** "2GB", "512MiB", "1g", "1048576" -> bytes (binary units, like docker --memory); undefined when invalid. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = SIZE_UNITS[(m[2] ?? "").toLowerCase()];
  if (unit === undefined) return undefined;
  return Math.round(Number(m[1]) * unit);
}

/** A duration string in the file ("10m"), milliseconds after parsing. */
export function duration(description: string) {
  return z
    .string()
    .refine((s) => parseDuration(s) !== undefined, {
      message: 'not a duration: write a number with a unit, e.g. "90s", "10m", "1h"',
    })
    .transform((s) => parseDuration(s) as number)
    .describe(description);
}

/** A size string in the file ("2GB"), bytes after parsing. */
export function size(description: string) {
  return z
    .string()
    .refine((s) => parseSize(s) !== undefined, {
      message: 'not a size: write a number with a unit, e.g. "512MB", "2GB"',
    })
    .transform((s) => parseSize(s) as number)
    .describe(description);
}
