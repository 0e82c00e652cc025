import { resolve } from "node:path";
import { readRoleLabels } from "../../config/index.js";
import { PoolError } from "../../lib/index.js";
import {
  auditDirectory,
  formatJson,
  formatSarif,
  formatText,
  type RewriteFileResult,
  rewriteDirectory,
} from "../../migrate/index.js";
import { keyValues, type MigrateIo, parseCommandArgs } from "../args.js";
import { VERSION } from "../version.js";
import { COMPARE_USAGE, compareCommand, PROMOTE_USAGE, promoteCommand } from "./migrate-compare.js";

const AUDIT_USAGE = "runnerpool migrate audit DIR [--config runnerpool.toml] [--format text|json|sarif]";
const REWRITE_USAGE =
  "runnerpool migrate rewrite DIR [--label-map FROM=ROLE]... [--config runnerpool.toml] [--v2] [--dry-run]";
const USAGE = `usage:\n  ${AUDIT_USAGE}\n  ${REWRITE_USAGE}\n  ${COMPARE_USAGE}\n  ${PROMOTE_USAGE}\n`;

function oneDir(positionals: string[], usage: string, cwd: string): string {
  if (positionals.length > 1) throw new PoolError("INVALID_ARGUMENT", `one DIR expected\nusage: ${usage}`);
  return resolve(cwd, positionals[0] ?? ".");
}

async function audit(argv: string[], io: MigrateIo, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { config: { type: "string" }, format: { type: "string", default: "text" } },
    AUDIT_USAGE,
  );
  const format = values.format;
  if (format !== "text" && format !== "json" && format !== "sarif") {
    throw new PoolError("INVALID_ARGUMENT", `--format "${format}" is not text, json or sarif`);
  }
  const dir = oneDir(positionals, AUDIT_USAGE, io.cwd);
  const roles = values.config === undefined ? undefined : await readRoleLabels(resolve(io.cwd, values.config), signal);
  const report = await auditDirectory(dir, roles === undefined ? {} : { roles }, signal);
  if (report.files.length === 0) io.stderr(`no workflow files under ${dir} (looked in .gitea, .github, .forgejo)\n`);
  if (format === "json") io.stdout(formatJson(report));
  else if (format === "sarif") io.stdout(formatSarif(report, { toolVersion: VERSION }));
  else io.stdout(formatText(report));
  return report.findings.some((f) => f.severity === "error") ? 1 : 0;
}

function reportRewrite(r: RewriteFileResult, dryRun: boolean, io: MigrateIo): void {
  for (const p of r.problems) {
    io.stderr(`${r.file}:${p.line}:${p.col} error yaml-syntax ${p.message} (file left untouched)\n`);
  }
  if (r.status === "changed") {
    io.stderr(`${dryRun ? "would rewrite" : "rewrote"} ${r.target}${r.target === r.file ? "" : ` (from ${r.file})`}\n`);
    for (const c of r.changes) io.stderr(`  ${r.file}:${c.line}:${c.col} ${c.message}\n`);
  }
  for (const n of r.notes) io.stderr(`${r.file}:${n.line}:${n.col} note ${n.message}\n`);
}

async function rewrite(argv: string[], io: MigrateIo, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      "label-map": { type: "string", multiple: true },
      config: { type: "string" },
      v2: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
    },
    REWRITE_USAGE,
  );
  const dir = oneDir(positionals, REWRITE_USAGE, io.cwd);
  const labelMap = keyValues("label-map", values["label-map"]);
  const roles = values.config === undefined ? undefined : await readRoleLabels(resolve(io.cwd, values.config), signal);
  const dryRun = values["dry-run"] === true;
  const results = await rewriteDirectory(
    dir,
    { labelMap, ...(roles === undefined ? {} : { roles }), v2: values.v2 === true, dryRun },
    signal,
  );
  for (const r of results) {
    if (dryRun) io.stdout(r.diff);
    reportRewrite(r, dryRun, io);
  }
  const changed = results.filter((r) => r.status === "changed").length;
  const invalid = results.filter((r) => r.status === "invalid").length;
  io.stderr(
    `${changed} of ${results.length} workflow files ${dryRun ? "would change" : "changed"}` +
      `${invalid > 0 ? `, ${invalid} left untouched because they are not valid YAML` : ""}\n`,
  );
  return invalid > 0 ? 1 : 0;
}

/** `runnerpool migrate audit|rewrite|compare|promote ...`; returns the exit code. */
export async function migrateCommand(argv: string[], io: MigrateIo): Promise<number> {
  const [sub, ...rest] = argv;
  const signal = new AbortController().signal;
  switch (sub) {
    case "audit":
      return audit(rest, io, signal);
    case "rewrite":
      return rewrite(rest, io, signal);
    case "compare":
      return compareCommand(rest, io, signal);
    case "promote":
      return promoteCommand(rest, io, signal);
    case undefined:
    case "help":
    case "--help":
      io.stdout(USAGE);
      return sub === undefined ? 2 : 0;
    default:
      throw new PoolError("INVALID_ARGUMENT", `unknown migrate command "${sub}"\n${USAGE}`);
  }
}
