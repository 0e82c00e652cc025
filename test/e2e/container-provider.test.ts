import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { PoolRole } from "../../src/pool/index.js";
import { ROOT } from "../support/cli.js";
import { PoolHarness, until } from "../support/pool-harness.js";

// Provider docker/podman: an instance is a container from the role's image running this checkout's
// runner; a job runs inside that container.

const IMAGE = "runnerpool-test:node";
const BUILD = join(ROOT, "runner-images/build-base.sh");

function skipReason(engine: "docker" | "podman"): string | false {
  if (spawnSync(engine, ["info"], { stdio: "ignore", timeout: 30_000 }).status !== 0) {
    return `${engine} is not installed or cannot run containers here (.ci/run installs it)`;
  }
  if (spawnSync(engine, ["image", "inspect", IMAGE], { stdio: "ignore" }).status !== 0) {
    const built = spawnSync("bash", [BUILD, "--engine", engine, "--tag", IMAGE, "--with-node"], { encoding: "utf8" });
    if (built.status !== 0) return `cannot build ${IMAGE}: ${built.stderr}`;
  }
  return false;
}

function containers(engine: string): string[] {
  return spawnSync(engine, ["ps", "--all", "--quiet", "--filter", "label=runnerpool.instance"], { encoding: "utf8" })
    .stdout.split("\n")
    .filter((l) => l !== "");
}

for (const engine of ["docker", "podman"] as const) {
  describe(`${engine} provider`, { skip: skipReason(engine) }, () => {
    const h = new PoolHarness();
    after(() => h.close());

    test("runs an instance as a container whose jobs run inside it, and leaves no container behind", async () => {
      const activity = (runner: string) =>
        h.coordinator.read
          .listRuns({ limit: 50 })
          .flatMap((r) => r.jobs)
          .filter((j) => j.status === "running" && j.runnerName === runner).length;
      const role: PoolRole = {
        name: "linux",
        labels: ["self-hosted", "linux"],
        backend: "host",
        capacity: 1,
        env: {},
        image: IMAGE,
        provider: engine,
      };
      await h.start([role], {
        settings: { version: "e2e", fetchWaitMs: 2_000 },
        containers: { projectDir: ROOT, workdirParent: join(h.dir, "instances"), activity },
      });
      assert.deepEqual(
        h.coordinator.runners.list().map((r) => r.name),
        ["linux-1"],
      );
      assert.equal(containers(engine).length, 1);
      const marker = engine === "docker" ? "/.dockerenv" : "/run/.containerenv";
      const runId = h.submit(
        `on: push\njobs:\n  a:\n    runs-on: [self-hosted, linux]\n    steps:\n      - run: test -e ${marker} && echo inside-a-container\n`,
      );
      // A loaded machine starts node in the container slowly; say what the pool saw if it never ends.
      const run = await h.wait(runId, 120_000).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}; pool: ${JSON.stringify(h.supervisor.status())}`);
      });
      assert.equal(run.result, "success", h.log(run.jobs[0]?.id ?? 0));
      assert.match(h.log(run.jobs[0]?.id ?? 0), /inside-a-container/);
      await h.supervisor.drain("linux");
      await until(() => containers(engine).length === 0, "the instance container is gone", 30_000);
      assert.equal(h.coordinator.runners.list().length, 0, "and unregistered");
    });
  });
}
