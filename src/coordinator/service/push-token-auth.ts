import { PushTokenStore } from "../store/push-tokens.js";
import { newSaltedToken, verifyToken } from "./tokens.js";

/** The push token of the git hosting: one valid at a time, only its hash stored. */
export class PushTokenAuth {
  readonly #tokens: PushTokenStore;

  constructor(db: ConstructorParameters<typeof PushTokenStore>[0]) {
    this.#tokens = new PushTokenStore(db);
  }

  /** A new push token (the only valid one from now on). */
  create(): string {
    const token = newSaltedToken();
    this.#tokens.replace(token, Date.now());
    return token.token;
  }

  verify(token: string): boolean {
    return (
      token.length >= 8 && this.#tokens.byLastEight(token.slice(-8)).some((t) => verifyToken(token, t.salt, t.hash))
    );
  }
}
