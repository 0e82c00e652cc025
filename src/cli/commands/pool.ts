import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CONFIG_FILE, isGuardedRole, openConfig, type PoolConfig, readStateDir } from "../../config/index.js";
import { PoolError } from "../../lib/index.js";
import {
  type AdminAction,
  type AdminActions,
  type Coverage,
  callAdmin,
  type PoolStatus,
  planCoverage,
  type QueuedGroup,
} from "../../pool/index.js";
import { findWorkflowFiles } from "../../workflow/index.js";
import { type Io, parseCommandArgs } from "../args.js";

const USAGE = `runnerpool pool status [--json] | add ROLE | drain INSTANCE|ROLE | rotate-token [--cycle]
                | decommission RUNNER | coverage REPO_DIR [--json]        (all take --config FILE)`;

/** A runbook action may wait for running jobs to finish (drain). */
const ADMIN_TIMEOUT_MS = 10 * 60_000;

/** Asks the `up` that owns the config's state directory. */
function ask<A extends AdminAction>(
  io: Io,
  config: string | undefined,
  action: A,
  request: AdminActions[A]["request"],
): Promise<AdminActions[A]["response"]> {
  const file = resolve(io.cwd, config ?? CONFIG_FILE);
  const stateDir = readStateDir(file, { mustExist: config !== undefined });
  return callAdmin(stateDir, action, request, AbortSignal.timeout(ADMIN_TIMEOUT_MS));
}

function printStatus(io: Io, status: PoolStatus): void {
  io.stdout(`forge: ${status.forge}${status.embedded ? " (embedded coordinator)" : ""}\n`);
  for (const r of status.roles) {
    const queue = r.queued === undefined ? "" : `, ${r.queued} queued`;
    io.stdout(
      `role ${r.name} [${r.labels.join(", ")}] ${r.backend}: ${r.instances.length} instance(s) (min ${r.min}, max ${r.max}), ${r.busySlots} busy / ${r.idleSlots} idle slots${queue}${r.paused ? ", drained" : ""}${r.restarts > 0 ? `, ${r.restarts} restart(s)` : ""}\n`,
    );
    for (const i of r.instances) io.stdout(`  ${i.name}  ${i.state}  ${i.running}/${i.capacity}  since ${i.since}\n`);
    if (r.lastError) io.stdout(`  last error: ${r.lastError}\n`);
    for (const g of status.queue?.filter((q) => q.roles?.[0] === r.name) ?? []) printQueued(io, g);
  }
  const unserved = status.queue?.filter((q) => (q.roles ?? []).length === 0) ?? [];
  if (unserved.length > 0) io.stdout("no role:\n");
  for (const g of unserved) printQueued(io, g);
}

/** One line per runs-on that waits: how many jobs, since when, and why (under the first role that could take them). */
function printQueued(io: Io, g: QueuedGroup): void {
  const ids = g.jobIds.map((id) => `#${id}`).join(" ");
  io.stdout(`  queued [${g.runsOn.join(", ")}] ${ids} since ${g.oldestQueuedAt}: ${g.reason ?? "waiting"}\n`);
}

/** Every job's runs-on across a repository's workflows and the role that serves it, offline. */
async function coverage(repoDir: string, config: PoolConfig, signal: AbortSignal): Promise<Coverage> {
  const files = await findWorkflowFiles(repoDir, signal);
  const workflows = await Promise.all(
    files.map(async (file) => ({ file, source: await readFile(join(repoDir, file), { encoding: "utf8", signal }) })),
  );
  return planCoverage(
    workflows,
    config.role.map((r) => ({ name: r.name, labels: r.labels, guarded: isGuardedRole(r) })),
  );
}

function printCoverage(io: Io, { rows, errors }: Coverage, file: string, json: boolean): boolean {
  const unserved = rows.filter((r) => r.role === null);
  const exposed = rows.filter((r) => r.unnamedGuarded.length > 0);
  const ok = unserved.length === 0 && exposed.length === 0 && errors.length === 0;
  if (json) {
    io.stdout(`${JSON.stringify({ ok, rows, errors }, null, 2)}\n`);
    return ok;
  }
  for (const r of rows) {
    io.stdout(
      `${r.workflow}: ${r.job} [${r.runsOn.join(", ")}] -> ${r.role ?? `no role serves [${r.runsOn.join(", ")}]`}${
        r.unnamedGuarded.length > 0
          ? `; also matches guarded role(s) ${r.unnamedGuarded.join(", ")} without naming them: name its role in runs-on`
          : ""
      }\n`,
    );
  }
  for (const e of errors) io.stderr(`${e}\n`);
  io.stdout(`${rows.length - unserved.length} of ${rows.length} jobs served by ${file}\n`);
  return ok;
}

export async function poolCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseCommandArgs(
    rest,
    {
      config: { type: "string" },
      json: { type: "boolean", default: false },
      cycle: { type: "boolean", default: false },
    },
    USAGE,
  );
  const one = (what: string): string => {
    const [v, ...more] = positionals;
    if (v === undefined || more.length > 0)
      throw new PoolError("INVALID_ARGUMENT", `pool ${sub} takes one ${what}\nusage: ${USAGE}`);
    return v;
  };
  switch (sub) {
    case "status": {
      const status = await ask(io, values.config, "status", undefined);
      if (values.json) io.stdout(`${JSON.stringify(status, null, 2)}\n`);
      else printStatus(io, status);
      return 0;
    }
    case "add": {
      const role = one("ROLE");
      await ask(io, values.config, "add", { role });
      io.stdout(`role ${role}: one more instance starting\n`);
      return 0;
    }
    case "drain": {
      const r = await ask(io, values.config, "drain", { target: one("INSTANCE or ROLE") });
      io.stdout(`drained and unregistered: ${r.drained.join(", ") || "(nothing was running)"}\n`);
      return 0;
    }
    case "rotate-token": {
      const r = await ask(io, values.config, "rotate-token", { cycle: values.cycle === true });
      io.stdout(`registration token rotated (${r.source}); new instances register with it\n`);
      if (r.cycled.length > 0) io.stdout(`re-registered: ${r.cycled.join(", ")}\n`);
      return 0;
    }
    case "decommission": {
      const runner = one("RUNNER");
      const r = await ask(io, values.config, "decommission", { runner });
      io.stdout(`runner ${runner} (id ${r.id}) removed from the forge; its token no longer works\n`);
      return 0;
    }
    case "coverage": {
      const repoDir = resolve(io.cwd, one("REPO_DIR"));
      const { config, file } = openConfig({
        given: values.config,
        dirs: [repoDir, io.cwd],
        cwd: io.cwd,
        sandboxAvailable: false,
      });
      if (!file) throw new PoolError("CONFIG_INVALID", `no runnerpool.toml found: pass --config FILE\nusage: ${USAGE}`);
      const found = await coverage(repoDir, config, AbortSignal.timeout(ADMIN_TIMEOUT_MS));
      return printCoverage(io, found, file, values.json === true) ? 0 : 1;
    }
    default:
      throw new PoolError("INVALID_ARGUMENT", `usage: ${USAGE}`);
  }
}
