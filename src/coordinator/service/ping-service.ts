import type { ServiceImpl } from "@connectrpc/connect";
import type { PingService } from "../../protocol/index.js";

/** Unauthenticated, like Gitea's: runners ping before they register. */
export function createPingService(): ServiceImpl<typeof PingService> {
  return {
    ping: (req) => ({ data: `Hello, ${req.data}!` }),
  };
}
