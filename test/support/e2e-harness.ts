import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jobExecutor } from "../../src/cli/assembly/job-executor.js";
import {
  type Coordinator,
  type CoordinatorServer,
  createCoordinator,
  startCoordinatorServer,
} from "../../src/coordinator/index.js";
import { createHostBackend } from "../../src/executor/index.js";
import { createForgeClient } from "../../src/protocol/index.js";
import { type RunnerHandle, register, startRunner } from "../../src/runner/index.js";

/** A real coordinator on 127.0.0.1 plus real runners (host backend), torn down by `close()`. */
export class Harness {
  readonly dir = mkdtempSync(join(tmpdir(), "rp-e2e-"));
  readonly controller = new AbortController();
  readonly runners: RunnerHandle[] = [];
  coordinator!: Coordinator;
  server!: CoordinatorServer;

  async start(options: { unmatchedTimeoutMs?: number } = {}): Promise<this> {
    this.coordinator = createCoordinator({ dbPath: join(this.dir, "c.db"), ...options });
    this.server = await startCoordinatorServer(this.coordinator, { host: "127.0.0.1", port: 0 });
    return this;
  }

  runnerFile(name: string): string {
    return join(this.dir, `${name}.runner`);
  }

  async addRunner(name: string, labels: string[], capacity = 1): Promise<RunnerHandle> {
    const registration = await register({
      client: createForgeClient({ url: this.server.url }),
      url: this.server.url,
      token: this.coordinator.runners.registrationToken(),
      name,
      labels: labels.map((l) => `${l}:host`),
      file: this.runnerFile(name),
      signal: this.controller.signal,
    });
    const handle = await startRunner({
      registration,
      capacity,
      execute: jobExecutor(createHostBackend({ workdirParent: join(this.dir, "work", name) })),
      settings: { version: "e2e", fetchWaitMs: 10_000 },
      cancelGraceMs: 3_000,
      signal: this.controller.signal,
    });
    this.runners.push(handle);
    return handle;
  }

  /** Starts a workflow text as a push to main, through the coordinator's trigger path. */
  submit(source: string, secrets: Record<string, string> = {}): number {
    const [outcome] = this.coordinator.runs.trigger({
      repo: "e2e/repo",
      workflows: [{ file: "e2e.yml", source }],
      event: { name: "push", ref: "refs/heads/main", sha: "a".repeat(40) },
      secrets,
    });
    if (outcome?.runId === undefined) throw new Error(outcome?.error ?? outcome?.skipped ?? "no run was started");
    return outcome.runId;
  }

  async close(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop().catch(() => undefined)));
    this.controller.abort();
    await this.server.close();
    this.coordinator.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
