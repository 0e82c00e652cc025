import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../support/cli.js";
import { UpProcess } from "../support/up-process.js";

const dir = mkdtempSync(join(tmpdir(), "rp-up-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const ROLE = '[[role]]\nname = "linux"\nlabels = ["self-hosted", "linux"]\nbackend = "host"\n';
// Relative paths only: they must land beside the config file, whatever the current directory.
const TOML = `[runner]\nstate_dir = "state"\nworkdir_parent = "work"\n${ROLE}`;

describe("up finds ./runnerpool.toml, resolves its paths beside it, and holds its state directory alone", () => {
  const home = join(dir, "pool");
  const elsewhere = join(dir, "elsewhere");
  const state = join(home, "state");
  let up: UpProcess;

  before(async () => {
    mkdirSync(home, { recursive: true });
    mkdirSync(elsewhere, { recursive: true });
    writeFileSync(join(home, "runnerpool.toml"), TOML);
    up = new UpProcess(["--no-logs"], { cwd: home });
    await up.ready();
  });
  after(async () => {
    await up.exit("SIGTERM");
  });

  test("up says which config file it uses and keeps its state beside that file", () => {
    assert.match(up.stdout, new RegExp(`config: ${join(home, "runnerpool.toml")}`));
    assert.match(up.stdout, new RegExp(`state: ${state}`));
    assert.ok(existsSync(join(state, "admin.json")));
    const lock = JSON.parse(readFileSync(join(state, "up.lock"), "utf8")) as { pid: number };
    assert.equal(lock.pid, up.child.pid);
  });

  test("pool status from another directory finds the pool through the config's relative state_dir", async () => {
    const r = await runCli(["pool", "status", "--config", join(home, "runnerpool.toml")], { cwd: elsewhere });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /role linux \[self-hosted, linux\] host/);
  });

  test("a second up on the same state directory is refused, names the first, and leaves admin.json alone", async () => {
    const admin = readFileSync(join(state, "admin.json"), "utf8");
    const mtime = statSync(join(state, "admin.json")).mtimeMs;
    const second = await runCli(["up", "--config", join(home, "runnerpool.toml"), "--listen", "127.0.0.1:0"], {
      cwd: elsewhere,
      timeoutMs: 20_000,
    });
    assert.equal(second.code, 1, second.stdout + second.stderr);
    assert.match(second.stderr, new RegExp(`in use by runnerpool up \\(pid ${up.child.pid}, started .*config ${home}`));
    assert.equal(readFileSync(join(state, "admin.json"), "utf8"), admin);
    assert.equal(statSync(join(state, "admin.json")).mtimeMs, mtime);
    const r = await runCli(["pool", "status", "--config", join(home, "runnerpool.toml")], { cwd: elsewhere });
    assert.equal(r.code, 0, r.stderr);
  });

  test("SIGHUP reloads the discovered file", async () => {
    writeFileSync(
      join(home, "runnerpool.toml"),
      `${TOML}[[role]]\nname = "audit"\nlabels = ["audit"]\nbackend = "host"\n`,
    );
    up.child.kill("SIGHUP");
    await up.waitFor(/config reloaded: roles linux, audit/, "the reload");
  });

  test("SIGTERM drains, exits 0 and removes the lock", async () => {
    assert.equal(await up.exit("SIGTERM"), 0, up.output);
    assert.equal(existsSync(join(state, "up.lock")), false);
  });
});
