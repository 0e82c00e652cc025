import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { queuedFor } from "../../src/cli/assembly/coordinator.js";
import { assemblePool, type PoolAssemblyOptions } from "../../src/cli/assembly/pool.js";
import {
  type Coordinator,
  type CoordinatorServer,
  createCoordinator,
  type RunView,
  startCoordinatorServer,
} from "../../src/coordinator/index.js";
import { silentLogger } from "../../src/lib/index.js";
import { guardedLabels, type PoolRole, type Supervisor } from "../../src/pool/index.js";

/**
 * A real coordinator on 127.0.0.1 and a pool, assembled as `up` does, running the given roles against it
 * (the picker routes by the roles' guarded labels, as `up` has it).
 */
export class PoolHarness {
  readonly dir = mkdtempSync(join(tmpdir(), "rp-pool-"));
  readonly lifetime = new AbortController();
  coordinator!: Coordinator;
  server!: CoordinatorServer;
  supervisor!: Supervisor;

  async start(roles: PoolRole[], options: Partial<PoolAssemblyOptions> = {}): Promise<this> {
    const guarded = () => guardedLabels(roles);
    this.coordinator = createCoordinator({
      dbPath: join(this.dir, "c.db"),
      unmatchedTimeoutMs: 5_000,
      guardedLabels: guarded,
    });
    this.server = await startCoordinatorServer(this.coordinator, { host: "127.0.0.1", port: 0 });
    const coordinator = this.coordinator;
    this.supervisor = assemblePool({
      forgeUrl: this.server.url,
      registrationToken: () => coordinator.runners.registrationToken(),
      roles,
      stateDir: join(this.dir, "runners"),
      workdirParent: join(this.dir, "work"),
      settings: { version: "e2e", fetchWaitMs: 5_000 },
      queued: queuedFor(coordinator, guarded),
      unregister: (reg) => {
        coordinator.runners.delete(reg.id);
      },
      tickMs: 100,
      logger: silentLogger,
      signal: this.lifetime.signal,
      ...options,
    });
    await this.supervisor.start();
    return this;
  }

  /** Starts a workflow text as a push of `ref`, through the coordinator's trigger path. */
  submit(source: string, ref = "refs/heads/main", secrets: Record<string, string> = {}): number {
    const [outcome] = this.coordinator.runs.trigger({
      repo: "e2e/repo",
      workflows: [{ file: ".gitea/workflows/e2e.yml", source }],
      event: { name: "push", ref, sha: "a".repeat(40) },
      secrets,
    });
    if (outcome?.runId === undefined) throw new Error(outcome?.error ?? outcome?.skipped ?? "no run was started");
    return outcome.runId;
  }

  wait(runId: number, ms = 60_000): Promise<RunView> {
    return this.coordinator.runs.waitForRun(runId, AbortSignal.timeout(ms));
  }

  log(jobId: number): string {
    return this.coordinator.read.jobLog(jobId).join("\n");
  }

  async close(): Promise<void> {
    await this.supervisor?.stop().catch(() => undefined);
    this.lifetime.abort();
    await this.server?.close();
    this.coordinator?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Waits for a condition, polling; fails with `what` when it does not hold within `ms`. */
export async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
