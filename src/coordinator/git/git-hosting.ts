import { join } from "node:path";
import type { Logger } from "../../lib/index.js";
import type { CoordinatorEvents, PushOutcome } from "../engine/events.js";
import type { TriggerInput, TriggerOutcome } from "../engine/trigger.js";
import { createGitHttpHandler, type GitHttpHandler } from "./git-http.js";
import { triggerPush } from "./push-trigger.js";

const MAX_PUSH_OUTCOMES = 100;

export interface GitHostingOptions {
  /** Holds `<owner>/<name>.git`. */
  reposDir: string;
  /** The engine's trigger path. */
  trigger(input: TriggerInput): TriggerOutcome[];
  /** Push credentials. */
  verifyPushToken(token: string): boolean;
  /** The repository a running task's token belongs to (jobs clone with it); undefined for others. */
  taskTokenRepo(token: string): string | undefined;
  /** True once the coordinator is closing: nobody is let in any more. */
  closed(): boolean;
  events: CoordinatorEvents;
  logger: Logger;
  signal: AbortSignal;
}

export interface GitHosting {
  handler: GitHttpHandler;
  /** What recent pushes started or failed to start (newest last, at most 100). */
  pushOutcomes(): PushOutcome[];
}

/**
 * The coordinator's git hosting: bare repositories served over smart HTTP, jobs clone with their task
 * token, and `git push` with the push token starts the workflows it triggers (through the engine's
 * trigger path).
 */
export function createGitHosting(o: GitHostingOptions): GitHosting {
  const outcomes: PushOutcome[] = [];
  const handler = createGitHttpHandler({
    reposDir: o.reposDir,
    createOnPush: true,
    logger: o.logger,
    signal: o.signal,
    // Pushing needs the push token; fetching also takes the task token of a job of that repository.
    authorize: ({ repo, service, password }) => {
      if (password === undefined || o.closed()) return false;
      if (o.verifyPushToken(password)) return true;
      return service === "upload-pack" && o.taskTokenRepo(password) === repo;
    },
    onPush: async (event) => {
      const repoPath = join(o.reposDir, `${event.repo}.git`);
      const found = await triggerPush({ repoPath, trigger: o.trigger, logger: o.logger, signal: o.signal }, event);
      for (const outcome of found) {
        outcomes.push(outcome);
        o.events.emit("push", outcome);
      }
      outcomes.splice(0, Math.max(0, outcomes.length - MAX_PUSH_OUTCOMES));
    },
  });
  return { handler, pushOutcomes: () => [...outcomes] };
}
