import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCli } from "../support/cli.js";
import { haveSystemdAnalyze, unitProblems } from "../support/systemd-unit.js";

const dir = mkdtempSync(join(tmpdir(), "rp-service-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;
const idOf = (kind: "passwd" | "group", name: string) =>
  Number(spawnSync("getent", [kind, name], { encoding: "utf8" }).stdout.split(":")[2]);

test(`the unit is checked with ${haveSystemdAnalyze() ? "systemd-analyze verify" : "a parse check (no systemd-analyze here)"}`, async () => {
  const stage = join(dir, "dry");
  mkdirSync(stage);
  const r = await runCli(["service", "install", "--dry-run", "--prefix", stage]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readdirSync(stage), [], "--dry-run writes nothing");
  const unit = r.stdout.slice(r.stdout.indexOf("[Unit]"), r.stdout.indexOf("would do"));
  for (const line of [
    "User=runnerpool",
    "KillMode=mixed",
    "ExecReload=/bin/kill -HUP $MAINPID",
    "StandardOutput=journal",
  ]) {
    assert.ok(unit.includes(`${line}\n`), line);
  }
  assert.match(unit, /^ExecStart=\S+node \S+\/bin\/runnerpool\.js up --config \/etc\/runnerpool\/runnerpool\.toml$/m);
  assert.match(
    unit,
    /^RestrictAddressFamilies=.*AF_NETLINK/m,
    "bubblewrap sets up the sandbox's loopback over netlink",
  );
  assert.doesNotMatch(unit, /RestrictNamespaces|PrivateUsers|MemoryDenyWriteExecute/, "bubblewrap and node still work");
  assert.match(r.stdout, /would do .*:\n {2}create the system user runnerpool \(useradd --system/);
  assert.match(r.stdout, /state directory \/var\/lib\/runnerpool: owner runnerpool:runnerpool, mode 0700/);
  const file = join(dir, "runnerpool.service");
  writeFileSync(file, unit);
  assert.deepEqual(unitProblems(file), []);
});

test("install writes the unit, the config and the directories with their owners and modes", {
  skip: !isRoot && "needs root to chown",
}, async () => {
  // `daemon` stands in for the service user: it exists on Debian, so the test creates no user.
  const stage = join(dir, "root");
  const r = await runCli(["service", "install", "--user", "daemon", "--prefix", stage]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /useradd/);
  const uid = idOf("passwd", "daemon");
  const gid = idOf("group", "daemon");
  const expect = (path: string, owner: number, mode: number) => {
    const s = statSync(join(stage, path));
    assert.deepEqual([s.uid, s.gid, s.mode & 0o777], [owner, gid, mode], path);
  };
  expect("etc/runnerpool", 0, 0o750);
  expect("etc/runnerpool/runnerpool.toml", 0, 0o640);
  expect("var/lib/runnerpool", uid, 0o700);
  expect("var/lib/runnerpool/work", uid, 0o700);
  assert.equal(statSync(join(stage, "etc/systemd/system/runnerpool.service")).mode & 0o777, 0o644);
  assert.deepEqual(unitProblems(join(stage, "etc/systemd/system/runnerpool.service")), []);
  const config = readFileSync(join(stage, "etc/runnerpool/runnerpool.toml"), "utf8");
  assert.match(config, /state_dir = "\/var\/lib\/runnerpool"/);
  const valid = await runCli(["config", "validate", join(stage, "etc/runnerpool/runnerpool.toml")]);
  assert.equal(valid.code, 0, valid.stdout + valid.stderr);

  // Again, with the operator's own config: it is kept, and its (relative) directories are the ones made.
  writeFileSync(
    join(stage, "etc/runnerpool/runnerpool.toml"),
    '[runner]\nstate_dir = "../../srv/pool"\nworkdir_parent = "/srv/work"\n[[role]]\nname = "linux"\nlabels = ["linux"]\n',
  );
  const again = await runCli(["service", "install", "--user", "daemon", "--prefix", stage]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /kept the existing config/);
  expect("srv/pool", uid, 0o700);
  expect("srv/work", uid, 0o700);
  const unit = readFileSync(join(stage, "etc/systemd/system/runnerpool.service"), "utf8");
  assert.match(unit, /^WorkingDirectory=\/srv\/pool$/m);
  assert.match(unit, /^ReadWritePaths=\/srv\/pool \/srv\/work$/m);
});

test("a relative --config is refused: the unit names the path the service reads", async () => {
  const r = await runCli(["service", "install", "--dry-run", "--config", "runnerpool.toml"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /must be absolute/);
});
