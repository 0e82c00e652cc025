/** Native checkout: the git CLI with protocol v2, shallow/partial/sparse fetches and a per-host mirror cache. */
export { type CheckoutOptions, type CheckoutResult, checkout } from "./checkout.js";
export type { GitConfigEntries } from "./git-command.js";
export type { CheckoutObservation, GitPolicy } from "./git-policy.js";
export { MirrorCache, type MirrorCacheOptions, type MirrorEnsureOptions } from "./mirror-cache.js";
export { inspectMirror, type MirrorHealth } from "./mirror-health.js";
