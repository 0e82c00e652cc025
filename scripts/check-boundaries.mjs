#!/usr/bin/env node
// Enforces the dependency rules of docs/architecture: which src/ module may import which,
// and that modules meet only through their index.ts.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const allowed = {
  lib: [],
  config: ["lib"],
  protocol: ["lib"],
  workflow: ["lib"],
  executor: ["lib", "workflow"],
  runner: ["lib", "protocol", "executor", "workflow"],
  coordinator: ["lib", "protocol", "workflow"],
  pool: ["lib", "runner", "executor", "protocol", "workflow"],
  migrate: ["lib", "workflow"],
  web: ["lib"],
  cli: ["lib", "config", "protocol", "workflow", "executor", "runner", "coordinator", "pool", "migrate", "web"],
};

function walk(dir, acc = []) {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, acc);
    else if (p.endsWith(".ts")) acc.push(p);
  }
  return acc;
}

const problems = [];
const src = resolve("src");
for (const file of walk("src")) {
  const from = relative(src, resolve(file)).split("/")[0];
  const text = readFileSync(file, "utf8");
  const re = /(?:import|export)[^'"]*?from\s+["'](\.[^"']+)["']|import\(\s*["'](\.[^"']+)["']\s*\)/g;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2];
    const target = resolve(dirname(resolve(file)), spec);
    const rel = relative(src, target);
    if (rel.startsWith("..")) continue;
    const parts = rel.split("/");
    const to = parts[0];
    if (to === from) continue;
    if (!(from in allowed)) continue;
    if (!allowed[from].includes(to)) {
      problems.push(`${file}: module "${from}" may not import "${to}" (${spec})`);
      continue;
    }
    const inner = parts.slice(1).join("/");
    const viaIndex =
      inner === "index.js" || inner === "index.ts" || inner === "" || (to === "protocol" && inner.startsWith("gen/"));
    if (!viaIndex) problems.push(`${file}: import "${to}" through its index.ts, not ${spec}`);
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
