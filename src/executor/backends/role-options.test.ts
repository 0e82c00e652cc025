import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { run } from "../../../test/support/backend-contract.js";
import { cgroupV1Available } from "../../lib/index.js";
import type { Backend, JobEnvironment } from "../backend.js";
import { createHostBackend } from "./host.js";
import { createSandboxBackend, isSandboxAvailable } from "./sandbox.js";

// The per-role options of the host and sandbox backends: a secrets directory and cgroup limits.

const never = () => new AbortController().signal;
const memory = { memoryBytes: 48 * 1024 * 1024 };
const noCgroups =
  process.getuid?.() !== 0
    ? "needs root to create cgroups"
    : cgroupV1Available({ ...memory, pids: 64 })
      ? false
      : "cgroup v1 memory and pids controllers are not mounted here";
const noSandbox = (await isSandboxAvailable()) ? false : "bubblewrap is missing or cannot create namespaces here";
/** Needs ~100 MB: fine without a limit, killed under 48 MB. */
const HOG = 'x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo survived';

describe("role options of the host and sandbox backends", () => {
  let parent = "";
  let secrets = "";
  const envs: JobEnvironment[] = [];
  const prepare = async (backend: Backend) => {
    const env = await backend.prepare({ jobKey: `job-${randomUUID()}`, signal: never() });
    envs.push(env);
    return env;
  };
  before(async () => {
    parent = await mkdtemp(join(tmpdir(), "role-options-"));
    secrets = join(parent, "deploy-secrets");
    await mkdir(join(secrets, "ssh"), { recursive: true });
    await writeFile(join(secrets, "token"), "s3cret\n");
    await writeFile(join(secrets, "ssh", "id"), "key\n");
  });
  after(async () => {
    for (const env of envs) await env.dispose(never()).catch(() => undefined);
    await rm(parent, { recursive: true, force: true });
  });

  test("host: a job reads its role's secrets at $RUNNERPOOL_SECRETS_DIR and cannot change the original", async () => {
    const env = await prepare(createHostBackend({ workdirParent: join(parent, "h"), secretsDir: secrets }));
    const r = await run(
      env,
      'cat "$RUNNERPOOL_SECRETS_DIR/token" "$RUNNERPOOL_SECRETS_DIR/ssh/id"; echo x > "$RUNNERPOOL_SECRETS_DIR/token"; rm -rf "$RUNNERPOOL_SECRETS_DIR"; true',
    );
    assert.equal(r.stdout.split("\n").slice(0, 2).join("\n"), "s3cret\nkey");
    assert.equal(await readFile(join(secrets, "token"), "utf8"), "s3cret\n");
  });

  test("host: a role without secrets_dir gets no secrets variable", async () => {
    const env = await prepare(createHostBackend({ workdirParent: join(parent, "h2") }));
    assert.equal(env.baseEnv.RUNNERPOOL_SECRETS_DIR, undefined);
    assert.doesNotMatch((await run(env, "env")).stdout, /RUNNERPOOL_SECRETS_DIR/);
  });

  test("sandbox: secrets are bound read-only, and another role's sandbox cannot see the directory", {
    skip: noSandbox,
  }, async () => {
    const env = await prepare(createSandboxBackend({ workdirParent: join(parent, "s"), secretsDir: secrets }));
    const r = await run(env, 'cat "$RUNNERPOOL_SECRETS_DIR/token"; touch "$RUNNERPOOL_SECRETS_DIR/new"');
    assert.equal(r.stdout, "s3cret\n");
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Read-only file system/);
    const other = await prepare(createSandboxBackend({ workdirParent: join(parent, "s2") }));
    const o = await run(
      other,
      `cat "${join(secrets, "token")}" /run/runnerpool/secrets/token; echo "[$RUNNERPOOL_SECRETS_DIR]"`,
    );
    assert.doesNotMatch(o.stdout, /s3cret/);
    assert.match(o.stdout, /^\[\]$/m);
  });

  test("host: a job over its memory limit is killed, the same job without a limit survives", {
    skip: noCgroups,
  }, async () => {
    const limited = await prepare(createHostBackend({ workdirParent: join(parent, "m"), limits: memory }));
    const r = await run(limited, HOG);
    assert.notEqual(r.code, 0);
    assert.doesNotMatch(r.stdout, /survived/);
    const free = await prepare(createHostBackend({ workdirParent: join(parent, "m2") }));
    assert.match((await run(free, HOG)).stdout, /survived/);
  });

  test("host: the job's processes run in a cgroup with its pids limit", { skip: noCgroups }, async () => {
    const env = await prepare(createHostBackend({ workdirParent: join(parent, "p"), limits: { pids: 64 } }));
    const r = await run(env, 'cat "/sys/fs/cgroup/pids$(grep :pids: /proc/self/cgroup | cut -d: -f3)/pids.max"');
    assert.equal(r.stdout.trim(), "64");
  });

  test("sandbox: the whole sandbox is inside the memory limit", { skip: noCgroups || noSandbox }, async () => {
    const env = await prepare(createSandboxBackend({ workdirParent: join(parent, "sm"), limits: memory }));
    const r = await run(env, HOG);
    assert.notEqual(r.code, 0);
    assert.doesNotMatch(r.stdout, /survived/);
  });
});
