import { join } from "node:path";
import { type CoordinatorServer, importWorkingTree } from "../../coordinator/index.js";
import { errorMessage, type Logger } from "../../lib/index.js";
import { type EmbeddedCoordinator, openCoordinator, serveCoordinator } from "../assembly/coordinator.js";

export interface RunForge extends EmbeddedCoordinator {
  server: CoordinatorServer;
}

/**
 * The embedded forge of one `run`, in its scratch directory: the repository is served by it, so
 * `actions/checkout` in a job clones it like from a forge; artifacts are kept for `migrate compare`.
 */
export async function startRunForge(
  scratch: string,
  repo: { dir: string; fullName: string },
  options: {
    logger: Logger;
    signal: AbortSignal;
    note: (text: string) => void;
    /** The exclusive labels of the pool's guarded roles (see `openCoordinator`). */
    guardedLabels: readonly string[];
  },
): Promise<RunForge> {
  const embedded = openCoordinator(scratch, 1_000, options.logger, () => options.guardedLabels);
  const [owner = "local", name = ""] = repo.fullName.split("/");
  try {
    await importWorkingTree(repo.dir, join(scratch, "repos"), owner, name, options.signal);
  } catch (err) {
    options.note(`${repo.fullName} is not served to jobs, actions/checkout will fail: ${errorMessage(err)}`);
  }
  const server = await serveCoordinator(embedded, {
    host: "127.0.0.1",
    port: 0,
    logger: options.logger,
    signal: options.signal,
  });
  return { ...embedded, server };
}
