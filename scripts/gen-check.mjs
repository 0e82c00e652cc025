#!/usr/bin/env node
// Regenerates src/protocol/gen into a temp dir and fails when the checked-in copy differs.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const out = mkdtempSync(join(tmpdir(), "rp-gen-"));
const template = readFileSync("buf.gen.yaml", "utf8").replace("out: src/protocol/gen", `out: ${out}`);
const tpl = join(out, "..", `${out.split("/").pop()}.buf.gen.yaml`);
writeFileSync(tpl, template);
const env = { ...process.env, PATH: `${join(process.cwd(), "node_modules/.bin")}:${process.env.PATH}` };
const r = spawnSync("buf", ["generate", "proto", "--template", tpl], { stdio: "inherit", env });
if (r.status !== 0) process.exit(r.status ?? 1);

function list(dir, base = dir, acc = []) {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) list(p, base, acc);
    else acc.push(relative(base, p));
  }
  return acc.sort();
}
const want = list(out);
const have = list("src/protocol/gen");
const stale = [];
for (const f of new Set([...want, ...have])) {
  const a = want.includes(f) ? readFileSync(join(out, f), "utf8") : null;
  const b = have.includes(f) ? readFileSync(join("src/protocol/gen", f), "utf8") : null;
  if (a !== b) stale.push(f);
}
rmSync(out, { recursive: true, force: true });
rmSync(tpl, { force: true });
if (stale.length > 0) {
  console.error(`src/protocol/gen is stale (${stale.join(", ")}): run "npm run gen" and commit the result`);
  process.exit(1);
}
console.log("src/protocol/gen is current");
