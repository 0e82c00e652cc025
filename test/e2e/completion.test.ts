import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "rp-completion-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const have = (shell: string) => spawnSync(shell, ["-c", "true"], { stdio: "ignore" }).status === 0;

/** What the bash script offers for a command line; the last word is the one being completed. */
function bashOffers(script: string, words: string[]): string[] {
  const line = `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _runnerpool; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync("bash", ["-c", line], { encoding: "utf8", cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\n").filter((l) => l !== "");
}

/**
 * The same for zsh, with compadd (which keeps the words the current one starts) and _files stubbed:
 * the completion system itself needs a terminal.
 */
function zshOffers(script: string, words: string[]): string[] {
  const stubs =
    "compdef() { :; }; _files() { print -- '<files>'; }; " +
    'compadd() { [[ $1 == -- ]] && shift; local w; for w in "$@"; do [[ $w == ${words[CURRENT]}* ]] && print -- $w; done; return 0; }';
  const line = `${stubs}; source ${script}; words=(${words.map((w) => `'${w}'`).join(" ")}); CURRENT=${words.length}; _runnerpool`;
  const r = spawnSync("zsh", ["-f", "-c", line], { encoding: "utf8", cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\n").filter((l) => l !== "");
}

for (const [shell, offers] of [
  ["bash", bashOffers],
  ["zsh", zshOffers],
] as const) {
  describe(`runnerpool completion ${shell}`, { skip: !have(shell) && `${shell} is not installed` }, () => {
    const script = join(dir, `runnerpool.${shell}`);
    before(async () => {
      const r = await runCli(["completion", shell]);
      assert.equal(r.code, 0, r.stderr);
      writeFileSync(script, r.stdout);
    });

    test("the script parses", () => {
      const r = spawnSync(shell, ["-n", script], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
    });

    test("commands, subcommands, flags and flag values come from the command table", () => {
      assert.deepEqual(offers(script, ["runnerpool", "p"]), ["pool"]);
      assert.ok(offers(script, ["runnerpool", ""]).includes("service"));
      assert.deepEqual(offers(script, ["runnerpool", "pool", "d"]), ["drain", "decommission"]);
      assert.deepEqual(offers(script, ["runnerpool", "service", "install", "--d"]), ["--dry-run"]);
      assert.deepEqual(offers(script, ["runnerpool", "up", "--l"]), ["--listen"]);
      assert.deepEqual(offers(script, ["runnerpool", "runner", "start", "--backend", ""]), ["host", "sandbox"]);
      assert.deepEqual(offers(script, ["runnerpool", "completion", ""]), ["bash", "zsh"]);
    });
  });
}

test("completion without a known shell is a usage error", async () => {
  const r = await runCli(["completion", "fish"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bash or zsh/);
});
