import type { UnservableWatch } from "../engine/unservable.js";
import { type RunnerView, runnerView } from "../engine/views.js";
import type { Store } from "../store/db.js";
import type { RunnerAuth } from "./auth.js";
import { randomToken } from "./tokens.js";

export interface RunnerAdminOptions {
  store: Store;
  auth: RunnerAuth;
  unservable: UnservableWatch;
  /** Throws once the coordinator is closed. */
  ensureOpen(): void;
}

/** Registration tokens and the runner list, for operators (Gitea's runner admin pages). */
export function createRunnerAdmin(o: RunnerAdminOptions) {
  const { store } = o;
  const replaceToken = () => store.registrationTokens.replace(randomToken(), Date.now()).token;
  return {
    registrationToken(): string {
      o.ensureOpen();
      return store.registrationTokens.active()?.token ?? replaceToken();
    },
    createRegistrationToken(): string {
      o.ensureOpen();
      return replaceToken();
    },
    list: (): RunnerView[] => store.runners.list().map((r) => runnerView(r)),
    delete(runnerId: number): boolean {
      const runner = store.runners.get(runnerId);
      if (!runner || runner.deleted !== null) return false;
      store.runners.delete(runnerId, Date.now());
      o.auth.forget(runner.uuid);
      o.unservable.check();
      return true;
    },
  };
}
