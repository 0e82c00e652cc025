import { PoolError } from "../../src/lib/index.js";

export const fakeClock = { now: () => 0, error: PoolError };
