import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createForgeClient } from "../../src/protocol/index.js";
import { register } from "../../src/runner/index.js";
import { runCli } from "../support/cli.js";
import { until } from "../support/pool-harness.js";

const BIN = fileURLToPath(new URL("../../bin/runnerpool.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "rp-pool-up-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Status {
  roles: { name: string; paused: boolean; instances: { name: string; state: string }[] }[];
}

describe("runbook commands against a running `up`", () => {
  let up: ChildProcess;
  let output = "";
  const state = join(dir, "state");
  const config = join(dir, "pool.toml");
  const toml = (extra = "") =>
    `[runner]\nstate_dir = "${state}"\nworkdir_parent = "${join(dir, "work")}"\n[[role]]\nname = "linux"\nlabels = ["self-hosted", "linux"]\nbackend = "host"\ninstances = { min = 1, max = 2 }\n${extra}`;
  const pool = (...args: string[]) => runCli(["pool", ...args, "--config", config]);
  // Polling goes straight to the admin API; the CLI is spawned only for the commands under test.
  const status = async (): Promise<Status> => {
    const url = (JSON.parse(readFileSync(join(state, "admin.json"), "utf8")) as { url: string }).url;
    const token = readFileSync(join(state, "admin-token"), "utf8").trim();
    const res = await fetch(`${url}/api/pool/status`, { headers: { authorization: `Bearer ${token}` } });
    return (await res.json()) as Status;
  };
  const api = async (action: string, body: Record<string, unknown>) => {
    const url = (JSON.parse(readFileSync(join(state, "admin.json"), "utf8")) as { url: string }).url;
    const token = readFileSync(join(state, "admin-token"), "utf8").trim();
    const res = await fetch(`${url}/api/pool/${action}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { error?: string } };
  };
  // The old laptop runner, registered the way act_runner does (in-process: spawning costs seconds).
  const registerElsewhere = (name: string, token: string) => {
    const url = (JSON.parse(readFileSync(join(state, "admin.json"), "utf8")) as { url: string }).url;
    return register({
      client: createForgeClient({ url }),
      url,
      token,
      name,
      labels: ["linux:host"],
      file: join(dir, `${name}.runner`),
      signal: AbortSignal.timeout(10_000),
    });
  };
  const poll = async (cond: (s: Status) => boolean, what: string): Promise<Status> => {
    const end = Date.now() + 15_000;
    for (;;) {
      const s = await status();
      if (cond(s)) return s;
      if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  before(async () => {
    writeFileSync(config, toml());
    up = spawn(process.execPath, [BIN, "up", "--config", config, "--listen", "127.0.0.1:0", "--no-logs"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    up.stdout?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    up.stderr?.on("data", (d: Buffer) => {
      output += d.toString();
    });
    await until(() => /press Ctrl-C/.test(output), "up is ready", 30_000);
  });
  after(async () => {
    if (up.exitCode === null) {
      up.kill("SIGTERM");
      await new Promise((r) => up.once("exit", r));
    }
  });

  test("the admin token and the registration token are files of mode 0600", () => {
    for (const f of ["admin-token", "registration-token", "admin.json"]) {
      assert.equal(statSync(join(state, f)).mode & 0o777, 0o600, f);
    }
  });

  test("the admin API refuses a caller without the token", async () => {
    const url = (JSON.parse(readFileSync(join(state, "admin.json"), "utf8")) as { url: string }).url;
    assert.equal((await fetch(`${url}/api/pool/status`)).status, 401);
    const wrong = await fetch(`${url}/api/pool/drain`, {
      method: "POST",
      headers: { authorization: "Bearer nope" },
      body: JSON.stringify({ target: "linux" }),
    });
    assert.equal(wrong.status, 401);
  });

  test("status shows roles and instances; add starts one more; drain takes it away", async () => {
    const human = await pool("status");
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /role linux \[self-hosted, linux\] host: 1 instance\(s\) \(min 1, max 2\)/);
    assert.match(human.stdout, /linux-1 {2}idle/);
    assert.equal((await pool("add", "linux")).code, 0);
    await poll((s) => s.roles[0]?.instances.filter((x) => x.state === "idle").length === 2, "two idle instances");
    const over = await api("add", { role: "linux" });
    assert.equal(over.status, 400);
    assert.match(over.body.error ?? "", /maximum of 2/);
    const d = await pool("drain", "linux-2");
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /linux-2/);
    assert.deepEqual(
      (await status()).roles[0]?.instances.map((i) => i.name),
      ["linux-1"],
    );
  });

  test("decommission removes a runner registered elsewhere, like the old laptop runner", async () => {
    await registerElsewhere("laptop", readFileSync(join(state, "registration-token"), "utf8").trim());
    const d = await pool("decommission", "laptop");
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /laptop .*removed/);
    const ours = await api("decommission", { runner: "linux-1" });
    assert.equal(ours.status, 200, ours.body.error);
    await poll(
      (st) => st.roles[0]?.instances.some((i) => i.state === "idle" && i.name === "linux-1") === true,
      "the role's min brings a fresh linux-1",
    );
    const again = await api("decommission", { runner: "laptop" });
    assert.equal(again.status, 404);
    assert.match(again.body.error ?? "", /no runner "laptop"/);
  });

  test("rotate-token replaces the registration token; the old one stops working", async () => {
    const old = readFileSync(join(state, "registration-token"), "utf8").trim();
    const r = await pool("rotate-token");
    assert.equal(r.code, 0, r.stderr);
    const fresh = readFileSync(join(state, "registration-token"), "utf8").trim();
    assert.notEqual(fresh, old);
    await assert.rejects(registerElsewhere("stale", old), /refused to register/);
    assert.equal((await registerElsewhere("fresh", fresh)).name, "fresh");
  });

  test("a bad config on SIGHUP is reported and the pool keeps running; a good one is applied", async () => {
    writeFileSync(config, `${toml()}[[role]]\nname = "linux"\nlabels = ["x"]\n`);
    up.kill("SIGHUP");
    await until(() => /keeping the running config/.test(output), "the bad reload is reported");
    assert.match(output, /role\[1\] \(linux\)\.name/);
    assert.equal((await status()).roles.length, 1);
    writeFileSync(config, `${toml()}[[role]]\nname = "audit"\nlabels = ["self-hosted", "audit"]\nbackend = "host"\n`);
    up.kill("SIGHUP");
    await until(() => /config reloaded/.test(output), "the good reload is applied");
    await poll((s) => s.roles.map((r) => r.name).join() === "linux,audit", "the audit role is added");
  });

  test("SIGTERM drains and exits 0", async () => {
    up.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => up.once("exit", r));
    assert.equal(code, 0, output);
  });
});
