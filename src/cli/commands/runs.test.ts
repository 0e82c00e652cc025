import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runsCommand } from "./runs.js";

// Arguments are checked before any pool is looked for: a typo says what is wrong, not "no running pool".
const cwd = mkdtempSync(join(tmpdir(), "rp-runs-args-"));
after(() => rmSync(cwd, { recursive: true, force: true }));
const io = { stdout: () => undefined, stderr: () => undefined, cwd, isTTY: false };

const cases: { argv: string[]; error: RegExp }[] = [
  { argv: ["bogus"], error: /unknown runs command "bogus"/ },
  { argv: [], error: /usage: runnerpool runs list/ },
  { argv: ["show", "abc"], error: /runs takes a RUN id/ },
  { argv: ["logs"], error: /runs takes a JOB id/ },
  { argv: ["cancel", "1.5"], error: /runs takes a RUN id/ },
  { argv: ["dispatch"], error: /runs dispatch takes a WORKFLOW/ },
  { argv: ["list", "--limit", "0"], error: /--limit "0" is not a whole number >= 1/ },
];

for (const c of cases) {
  test(`runs ${c.argv.join(" ")} is refused before looking for a pool`, async () => {
    await assert.rejects(runsCommand(c.argv, io), (err: Error) => {
      assert.match(err.message, c.error);
      assert.doesNotMatch(err.message, /no running pool/);
      return true;
    });
  });
}

test("well-formed arguments go on to find the pool, and say when there is none", async () => {
  await assert.rejects(runsCommand(["show", "3"], io), /no running pool found/);
});
