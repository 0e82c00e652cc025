// What the two source checks share: the TypeScript files of a tree, and how a check reports and exits.
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const SOURCE = /\.(?:ts|mts|cts|tsx)$/;
const TEST = /\.test\.[mc]?tsx?$/;

/** The TypeScript files under `dir`, sorted, without declarations and node_modules; `skip` names more folders to leave out. */
export function sourceFiles(dir, { tests = true, skip = [] } = {}) {
  const acc = [];
  const walk = (d) => {
    let names;
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (name === "node_modules" || skip.includes(name)) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (SOURCE.test(name) && !name.endsWith(".d.ts") && (tests || !TEST.test(name))) acc.push(p);
    }
  };
  walk(dir);
  return acc;
}

export function formatProblem(p) {
  return `${p.file}:${p.line}: ${p.message} [${p.rule}]`;
}

/** Runs `check(root)` when `moduleUrl` is the script node was started with: lists the problems and exits 1. */
export function runAsScript(moduleUrl, name, check, hint) {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(resolve(process.argv[1])).href) return;
  const problems = check(process.argv[2] ?? ".");
  if (problems.length === 0) return;
  console.error(problems.map(formatProblem).join("\n"));
  console.error(`${name}: ${problems.length} problem(s); ${hint}`);
  process.exit(1);
}
