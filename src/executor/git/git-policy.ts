import type { MirrorCache } from "./mirror-cache.js";

/**
 * The pool's checkout policy (config `[git]`): defaults for `actions/checkout` inputs the step leaves
 * out, plus how this host reaches the forge. One per runner host.
 */
export interface GitPolicy {
  /** Default `fetch-depth` (1 when unset); 0 fetches everything. */
  depth?: number;
  /** Default `filter`, e.g. `blob:none`. */
  filter?: string;
  /** Default `submodules`: off unless the pool says otherwise. */
  submodules?: boolean | "recursive";
  /** Public URL prefix -> internal prefix, persisted in each clone as `url.<internal>.insteadOf`. */
  rewrite?: Record<string, string>;
  /** Host header sent to the (rewritten) server. */
  hostHeader?: string;
  /**
   * The host's mirror cache: checkouts borrow objects from it through alternates. Its directory is
   * made visible to jobs read-only at the same path so git inside the job can read those objects.
   */
  mirror?: MirrorCache;
  /** Told after each built-in checkout: the bytes of objects the clone holds itself, and the mirror's part. */
  observe?: (checkout: CheckoutObservation) => void;
}

/** One checkout as the host's metrics see it. */
export interface CheckoutObservation {
  /** Bytes under the clone's `.git/objects` (what came over the wire; borrowed mirror objects not counted). */
  bytes: number;
  /** What the mirror cache did; `off` without one, `failed` when the checkout had to go around it. */
  mirror: "hit" | "fetched" | "built" | "failed" | "off";
}
