/** Headers of the runner protocol (shared/docs/forge-protocol.md section 1.3). */
export const UUID_HEADER = "x-runner-uuid";
export const TOKEN_HEADER = "x-runner-token";

/**
 * Forgejo's FetchTask retry key (Forgejo 15, PR #11401): the runner sends a fresh UUID with each fetch
 * and the same one again when it retries a fetch that failed; a server that assigned tasks to that key
 * answers with them again (fresh tokens, `tasks_version` 0) instead of losing them. Gitea ignores it.
 */
export const REQUEST_KEY_HEADER = "x-runner-request-key";

/**
 * Asks a runnerpool coordinator to hold FetchTask open for up to this many milliseconds until a task
 * arrives. Gitea and Forgejo ignore unknown headers and answer at once, so polling stays compatible.
 */
export const WAIT_HEADER = "x-runnerpool-wait";

/** Longest hold the coordinator grants, whatever the runner asks. */
export const MAX_WAIT_MS = 30_000;

/** Mount point of the Connect services on a forge. */
export const API_PREFIX = "/api/actions";
