import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
// The engine lookup is internal to the executor; the suite asks the same question it does.
import { findCommand } from "../../src/executor/backends/container-backend.js";
import { type ContainerEngine, createContainerBackend, type JobEnvironment } from "../../src/executor/index.js";
import { cgroupV1Available } from "../../src/lib/index.js";
import { run, runBackendContract } from "./backend-contract.js";

// Test support for the docker and podman backends (not a test file itself).

export const TEST_IMAGE = "runnerpool-test:busybox";
const BUILD = fileURLToPath(new URL("../../runner-images/build-base.sh", import.meta.url));

function engine(command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Why the suite cannot run here, or false; builds the busybox test image when the engine works. */
export function engineSkipReason(name: ContainerEngine): string | false {
  const command = findCommand(name);
  if (command === undefined)
    return `${name} is not installed (apt-get install -y ${name === "docker" ? "docker.io" : "podman"}; .ci/run does)`;
  const info = engine(command, ["info"]);
  if (info.status !== 0) return `${name} cannot run containers here: ${info.stderr.trim().split("\n").pop()}`;
  if (engine(command, ["image", "inspect", TEST_IMAGE]).status !== 0) {
    const built = engine("bash", [BUILD, "--engine", name, "--tag", TEST_IMAGE]);
    if (built.status !== 0) return `cannot build ${TEST_IMAGE}: ${built.stderr.trim()}`;
  }
  return false;
}

/**
 * Containers, volumes and networks the engine knows, to show a job left none behind. With `jobKey`,
 * only that job's containers and images (by their label), so tests running beside it do not count.
 */
export function engineObjects(name: ContainerEngine, jobKey?: string): string[] {
  const command = findCommand(name) ?? name;
  const list = (args: string[]) =>
    engine(command, args)
      .stdout.split("\n")
      .filter((l) => l.trim() !== "");
  const only = jobKey === undefined ? [] : ["--filter", `label=runnerpool.job=${jobKey}`];
  return [
    ...list(["ps", "--all", "--quiet", "--no-trunc", ...only]).map((c) => `container ${c}`),
    ...(jobKey === undefined ? [] : list(["images", "--quiet", "--no-trunc", ...only]).map((i) => `image ${i}`)),
    ...list(["volume", "ls", "--quiet"]).map((v) => `volume ${v}`),
    ...list(["network", "ls", "--quiet"]).map((n) => `network ${n}`),
  ].sort();
}

/** The backend contract plus what only container backends promise. */
export function containerBackendSuite(name: ContainerEngine): void {
  const skip = engineSkipReason(name);
  runBackendContract({
    name,
    skip,
    create: (workdirParent) => createContainerBackend({ engine: name, image: TEST_IMAGE, workdirParent }),
  });

  describe(`${name} backend`, { skip }, () => {
    let parent = "";
    before(async () => {
      parent = await mkdtemp(join(tmpdir(), `${name}-`));
    });
    after(async () => {
      await rm(parent, { recursive: true, force: true });
    });
    cleanupTests(name, () => parent);
    confinementTests(name, () => parent);
  });
}

const never = () => new AbortController().signal;

/** A job and everything it started go away with it, also on cancel. */
function cleanupTests(name: ContainerEngine, parent: () => string): void {
  test("a job leaves no container, volume or network behind", async () => {
    // Counted by the job's label: other engine tests may run at the same time (two test files at once).
    const jobKey = `leak-${randomUUID()}`;
    const before = engineObjects(name, jobKey);
    const backend = createContainerBackend({ engine: name, image: TEST_IMAGE, workdirParent: parent() });
    const env = await backend.prepare({ jobKey, signal: never() });
    assert.equal((await run(env, "echo in-a-container > proof; (sleep 300 &) ; true")).code, 0);
    assert.notDeepEqual(engineObjects(name, jobKey), before, "the job's container existed while it ran");
    const report = await env.dispose(never());
    assert.deepEqual(report.leftovers, []);
    assert.deepEqual(engineObjects(name, jobKey), before);
  });

  test("a job with a container, a service and a container step leaves no container, volume or network behind", async () => {
    const jobKey = `leak-svc-${randomUUID()}`;
    const before = engineObjects(name, jobKey);
    const backend = createContainerBackend({ engine: name, image: TEST_IMAGE, workdirParent: parent() });
    assert.equal(backend.containers, true);
    const env = await backend.prepare({
      jobKey,
      signal: never(),
      container: { image: TEST_IMAGE, volumes: ["/workspace/data:/data"] },
      services: { idle: { image: TEST_IMAGE, cmd: ["sleep", "300"] } },
    });
    assert.equal((await run(env, "echo kept > /data/proof && cat data/proof")).stdout, "kept\n");
    const out: Buffer[] = [];
    const code = await env.runContainerStep?.(
      { image: TEST_IMAGE, args: ["sh", "-c", "pwd; (sleep 300 &); true"], env: { GITHUB_WORKSPACE: "/workspace" } },
      { env: { GITHUB_WORKSPACE: "/workspace" }, signal: never(), onStdout: (c) => out.push(c), onStderr: () => {} },
    );
    assert.equal(code, 0);
    assert.equal(Buffer.concat(out).toString(), "/github/workspace\n");
    assert.equal(engineObjects(name, jobKey).length, before.length + 2, "the job and service containers existed");
    const report = await env.dispose(never());
    assert.deepEqual(report.leftovers, []);
    assert.deepEqual(engineObjects(name, jobKey), before);
  });

  test("cancelling a container step removes its container at once", async () => {
    const jobKey = `cancel-step-${randomUUID()}`;
    const backend = createContainerBackend({ engine: name, image: TEST_IMAGE, workdirParent: parent() });
    const env = await backend.prepare({ jobKey, signal: never() });
    try {
      const controller = new AbortController();
      const started = Date.now();
      const running = env.runContainerStep?.(
        { image: TEST_IMAGE, args: ["sleep", "300"], env: {} },
        { env: {}, signal: controller.signal, onStdout: () => {}, onStderr: () => {} },
      );
      while (engineObjects(name, jobKey).filter((o) => o.startsWith("container ")).length < 2) {
        assert.ok(Date.now() - started < 20_000, "the step container never started");
        await new Promise((r) => setTimeout(r, 50));
      }
      controller.abort();
      assert.notEqual(await running, 0);
      assert.ok(Date.now() - started < 8_000, "cancelling took as long as a stop timeout");
      for (let i = 0; engineObjects(name, jobKey).filter((o) => o.startsWith("container ")).length > 1; i++) {
        assert.ok(i < 200, "the cancelled step's container is still there");
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await env.dispose(never());
    }
  });
}

/** What a job container may reach: its mounts, image, network, secrets and limits. */
function confinementTests(name: ContainerEngine, parent: () => string): void {
  test("a job container may mount only paths inside the workspace", async () => {
    const backend = createContainerBackend({ engine: name, image: TEST_IMAGE, workdirParent: parent() });
    for (const volume of ["/etc:/host-etc", "named:/data", "../escape:/x"]) {
      await assert.rejects(
        backend.prepare({
          jobKey: `vol-${randomUUID()}`,
          signal: never(),
          container: { image: TEST_IMAGE, volumes: [volume] },
        }),
        /inside the workspace|leaves the workspace/,
      );
    }
  });

  test("the job runs in the role's image with no network and the workspace bind-mounted", async () => {
    const backend = createContainerBackend({ engine: name, image: TEST_IMAGE, workdirParent: parent() });
    const env: JobEnvironment = await backend.prepare({ jobKey: `img-${randomUUID()}`, signal: never() });
    try {
      const r = await run(env, "ls /bin/busybox && cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '; pwd");
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split("\n"), ["/bin/busybox", "lo", "/workspace"]);
    } finally {
      await env.dispose(never());
    }
  });

  test("secrets are mounted read-only at $RUNNERPOOL_SECRETS_DIR", async () => {
    const secrets = join(parent(), "secrets");
    await mkdir(secrets, { recursive: true });
    await writeFile(join(secrets, "key"), "k3y\n");
    const backend = createContainerBackend({
      engine: name,
      image: TEST_IMAGE,
      workdirParent: parent(),
      secretsDir: secrets,
    });
    const env = await backend.prepare({ jobKey: `sec-${randomUUID()}`, signal: never() });
    try {
      const r = await run(env, 'cat "$RUNNERPOOL_SECRETS_DIR/key"; touch "$RUNNERPOOL_SECRETS_DIR/x"');
      assert.equal(r.stdout, "k3y\n");
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Read-only file system/);
    } finally {
      await env.dispose(never());
    }
  });

  test("memory and pids limits are applied to the job's container", {
    skip: cgroupV1Available({ memoryBytes: 1, pids: 1 }) ? false : "cgroup memory/pids controllers are missing",
  }, async () => {
    const backend = createContainerBackend({
      engine: name,
      image: TEST_IMAGE,
      workdirParent: parent(),
      limits: { memoryBytes: 64 * 1024 * 1024, pids: 50, cpus: 0.5 },
    });
    const env = await backend.prepare({ jobKey: `lim-${randomUUID()}`, signal: never() });
    try {
      const r = await run(env, "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max");
      assert.deepEqual(r.stdout.trim().split("\n"), [String(64 * 1024 * 1024), "50"]);
    } finally {
      await env.dispose(never());
    }
  });

  test("an image that is not local fails to prepare with the engine's reason, and leaves nothing", async () => {
    const jobKey = `miss-${randomUUID()}`;
    const before = engineObjects(name, jobKey);
    const backend = createContainerBackend({ engine: name, image: "runnerpool-missing:none", workdirParent: parent() });
    await assert.rejects(backend.prepare({ jobKey, signal: never() }), /runnerpool-missing:none/);
    assert.deepEqual(engineObjects(name, jobKey), before);
  });
}
