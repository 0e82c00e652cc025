import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { run, runBackendContract } from "../../../test/support/backend-contract.js";
import type { Backend, JobEnvironment } from "../backend.js";
import { createSandboxBackend, isSandboxAvailable } from "./sandbox.js";

const available = await isSandboxAvailable();
const skip = available ? false : "bubblewrap (/usr/bin/bwrap) is missing or cannot create namespaces here";

runBackendContract({ name: "sandbox", skip, create: (workdirParent) => createSandboxBackend({ workdirParent }) });

describe("sandbox backend", { skip }, () => {
  let parent = "";
  let backend: Backend;
  const envs: JobEnvironment[] = [];
  const prepare = async (b = backend) => {
    const env = await b.prepare({ jobKey: `job-${randomUUID()}`, signal: new AbortController().signal });
    envs.push(env);
    return env;
  };
  before(async () => {
    parent = await mkdtemp(join(tmpdir(), "sandbox-"));
    backend = createSandboxBackend({ workdirParent: parent });
  });
  after(async () => {
    for (const env of envs) await env.dispose(new AbortController().signal);
    await rm(parent, { recursive: true, force: true });
  });

  test("has only a loopback network interface", async () => {
    const r = await run(await prepare(), "cat /proc/net/dev");
    const names = r.stdout
      .split("\n")
      .slice(2)
      .map((l) => l.split(":")[0]?.trim())
      .filter((n) => n);
    assert.deepEqual(names, ["lo"]);
  });

  test("cannot write to /usr", async () => {
    const r = await run(await prepare(), "touch /usr/sandbox-probe");
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Read-only file system/);
  });

  test("has a private /tmp", async () => {
    const marker = `sandbox-tmp-${randomUUID()}`;
    await writeFile(join(tmpdir(), `${marker}-host`), "x");
    try {
      const r = await run(await prepare(), `ls /tmp; touch /tmp/${marker}-inside`);
      assert.equal(r.code, 0);
      assert.doesNotMatch(r.stdout, new RegExp(marker));
      await assert.rejects(stat(join(tmpdir(), `${marker}-inside`)), { code: "ENOENT" });
    } finally {
      await rm(join(tmpdir(), `${marker}-host`), { force: true });
    }
  });

  test("sees the workspace at /workspace", async () => {
    const r = await run(await prepare(), "pwd");
    assert.equal(r.stdout.trim(), "/workspace");
  });

  test("runs steps as another uid when asked, owning what they write", {
    skip: process.getuid?.() !== 0 && "needs root",
  }, async () => {
    const env = await prepare(createSandboxBackend({ workdirParent: parent, uid: 12345 }));
    const r = await run(env, "id -u; echo x > owned");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), "12345");
    assert.equal((await stat(join(env.hostWorkspace, "owned"))).uid, 12345);
  });
});
