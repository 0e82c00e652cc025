import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { openConfig } from "./paths.js";

const dir = mkdtempSync(join(tmpdir(), "rp-paths-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const TOML = `[forge]
url = "http://127.0.0.1:3000"
registration_token_file = "secrets/reg-token"
admin_token_file = "/etc/runnerpool/admin-token"
[runner]
state_dir = "state"
workdir_parent = "../work"
[[role]]
name = "deploy"
labels = ["deploy"]
secrets_dir = "secrets/deploy"
allowed_refs = ["refs/heads/main"]
`;

test("every relative path of a config file is relative to the file's directory, not the current one", () => {
  const confDir = join(dir, "etc");
  mkdirSync(join(confDir, "secrets/deploy"), { recursive: true });
  writeFileSync(join(confDir, "pool.toml"), TOML);
  const { config, file, baseDir } = openConfig({
    given: "etc/pool.toml",
    dirs: [],
    cwd: dir,
    sandboxAvailable: false,
  });
  assert.equal(file, join(confDir, "pool.toml"));
  assert.equal(baseDir, confDir);
  assert.equal(config.runner.state_dir, join(confDir, "state"));
  assert.equal(config.runner.workdir_parent, join(dir, "work"));
  assert.equal(config.forge.registration_token_file, join(confDir, "secrets/reg-token"));
  assert.equal(config.forge.admin_token_file, "/etc/runnerpool/admin-token");
  assert.equal(config.role[0]?.secrets_dir, join(confDir, "secrets/deploy"));
});

test("runnerpool.toml in a searched directory is used; without one the default pool lives under the cwd", () => {
  const found = join(dir, "found");
  mkdirSync(found, { recursive: true });
  writeFileSync(join(found, "runnerpool.toml"), '[[role]]\nname = "a"\nlabels = ["a"]\n');
  const opened = openConfig({
    given: undefined,
    dirs: [join(dir, "nothing-here"), found],
    cwd: dir,
    sandboxAvailable: false,
  });
  assert.equal(opened.file, join(found, "runnerpool.toml"));
  assert.equal(opened.config.runner.state_dir, join(found, ".runnerpool"));
  const none = openConfig({ given: undefined, dirs: [join(dir, "nothing-here")], cwd: dir, sandboxAvailable: false });
  assert.equal(none.file, undefined);
  assert.equal(none.config.runner.state_dir, join(dir, ".runnerpool"));
  assert.equal(none.config.role[0]?.backend, "host");
});
