/**
 * Pause before the next FetchTask after `streak` empty or failed polls in a row (act_runner ≥ v0.4):
 * baseMs × 2^(streak-1), capped at maxMs (never below baseMs), then ±20 % jitter so a fleet of runners
 * restarted together does not poll in lockstep.
 */
export function pollBackoff(streak: number, options: { baseMs: number; maxMs: number; random: () => number }): number {
  const max = Math.max(options.baseMs, options.maxMs);
  const raw = Math.min(options.baseMs * 2 ** Math.min(Math.max(streak, 1) - 1, 5), max);
  return Math.round(raw * (0.8 + 0.4 * options.random()));
}
