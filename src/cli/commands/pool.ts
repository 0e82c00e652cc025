import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseToml } from "smol-toml";
import { defaultConfig, loadConfig, type PoolConfig } from "../../config/index.js";
import { PoolError } from "../../lib/index.js";
import type { RoleStatus } from "../../pool/index.js";
import { normaliseRunsOn, parseWorkflow, planJobs } from "../../workflow/index.js";
import { type Io, parseCommandArgs } from "../args.js";
import { findWorkflows } from "../repo.js";

const USAGE = `runnerpool pool status [--json] | add ROLE | drain INSTANCE|ROLE | rotate-token [--cycle]
                | decommission RUNNER | coverage REPO_DIR [--json]        (all take --config FILE)`;

function configFor(io: Io, file: string | undefined, repoDir?: string): { config: PoolConfig; file?: string } {
  const candidates = [
    file ? resolve(io.cwd, file) : undefined,
    repoDir ? join(repoDir, "runnerpool.toml") : undefined,
    resolve(io.cwd, "runnerpool.toml"),
  ].filter((f): f is string => f !== undefined);
  const found = file ? candidates[0] : candidates.find((f) => existsSync(f));
  if (found) return { config: loadConfig(found), file: found };
  return { config: defaultConfig(false) };
}

/**
 * The state directory of the `up` to talk to. Read leniently: a config file mid-edit (which the running
 * pool ignores until it is valid) must not lock the operator out of the runbook commands.
 */
function stateDirOf(io: Io, file: string | undefined): string {
  const path = file ? resolve(io.cwd, file) : resolve(io.cwd, "runnerpool.toml");
  if (!existsSync(path)) {
    if (file) throw new PoolError("CONFIG_INVALID", `config file "${path}" does not exist`);
    return resolve(io.cwd, defaultConfig(false).runner.state_dir);
  }
  let doc: unknown;
  try {
    doc = parseToml(readFileSync(path, "utf8"));
  } catch {
    doc = {};
  }
  const dir = (doc as { runner?: { state_dir?: unknown } }).runner?.state_dir;
  return resolve(io.cwd, typeof dir === "string" ? dir : defaultConfig(false).runner.state_dir);
}

/** Calls the admin API of the `up` that owns this state directory. */
async function call(stateDir: string, action: string, body?: Record<string, unknown>): Promise<unknown> {
  let url: string;
  let token: string;
  try {
    url = (JSON.parse(readFileSync(join(stateDir, "admin.json"), "utf8")) as { url: string }).url;
    token = readFileSync(join(stateDir, "admin-token"), "utf8").trim();
  } catch {
    throw new PoolError(
      "NOT_FOUND",
      `no running pool found in "${stateDir}": start it with \`runnerpool up --config FILE\` (same config)`,
    );
  }
  let res: Response;
  try {
    res = await fetch(`${url}/api/pool/${action}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10 * 60_000),
    });
  } catch (err) {
    throw new PoolError(
      "NOT_FOUND",
      `the pool at ${url} does not answer (${(err as Error).message}): is \`runnerpool up\` running?`,
    );
  }
  const answer = (await res.json().catch(() => ({}))) as { error?: string; code?: string };
  if (!res.ok) {
    throw new PoolError(res.status === 404 ? "NOT_FOUND" : "INVALID_ARGUMENT", answer.error ?? `HTTP ${res.status}`);
  }
  return answer;
}

function printStatus(io: Io, status: { forge: string; embedded: boolean; roles: RoleStatus[] }): void {
  io.stdout(`forge: ${status.forge}${status.embedded ? " (embedded coordinator)" : ""}\n`);
  for (const r of status.roles) {
    const queue = r.queued === undefined ? "" : `, ${r.queued} queued`;
    io.stdout(
      `role ${r.name} [${r.labels.join(", ")}] ${r.backend}: ${r.instances.length} instance(s) (min ${r.min}, max ${r.max}), ${r.busySlots} busy / ${r.idleSlots} idle slots${queue}${r.paused ? ", drained" : ""}${r.restarts > 0 ? `, ${r.restarts} restart(s)` : ""}\n`,
    );
    for (const i of r.instances) io.stdout(`  ${i.name}  ${i.state}  ${i.running}/${i.capacity}  since ${i.since}\n`);
    if (r.lastError) io.stdout(`  last error: ${r.lastError}\n`);
  }
}

interface CoverageRow {
  workflow: string;
  job: string;
  runsOn: string[];
  role: string | null;
}

/** Every job's runs-on across a repository's workflows and the role that serves it, offline. */
export function coverage(repoDir: string, config: PoolConfig): { rows: CoverageRow[]; errors: string[] } {
  const rows: CoverageRow[] = [];
  const errors: string[] = [];
  for (const file of findWorkflows(repoDir)) {
    const parsed = parseWorkflow(readFileSync(join(repoDir, file), "utf8"), file);
    if (!parsed.workflow) {
      errors.push(
        ...parsed.diagnostics
          .filter((d) => d.severity === "error")
          .map((d) => `${d.file}:${d.line ?? 0}: ${d.message}`),
      );
      continue;
    }
    const plan = planJobs(parsed.workflow, { github: {}, vars: {}, inputs: {} });
    const planned = new Set(plan.jobs.map((j) => j.jobId));
    const jobs = [
      ...plan.jobs.map((j) => ({ job: j.name, runsOn: j.runsOn })),
      // A job whose plan failed (e.g. runs-on from an input) still shows with its written labels.
      ...parsed.workflow.jobs
        .filter((j) => !planned.has(j.id))
        .map((j) => ({ job: j.id, runsOn: normaliseRunsOn(j.runsOn) })),
    ];
    for (const { job, runsOn } of jobs) {
      const role = config.role.find((r) => runsOn.every((l) => r.labels.includes(l)));
      rows.push({ workflow: file, job, runsOn, role: role?.name ?? null });
    }
  }
  return { rows, errors };
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
      const status = (await call(stateDirOf(io, values.config), "status")) as Parameters<typeof printStatus>[1];
      if (values.json) io.stdout(`${JSON.stringify(status, null, 2)}\n`);
      else printStatus(io, status);
      return 0;
    }
    case "add": {
      const role = one("ROLE");
      await call(stateDirOf(io, values.config), "add", { role });
      io.stdout(`role ${role}: one more instance starting\n`);
      return 0;
    }
    case "drain": {
      const target = one("INSTANCE or ROLE");
      const r = (await call(stateDirOf(io, values.config), "drain", { target })) as { drained: string[] };
      io.stdout(`drained and unregistered: ${r.drained.join(", ") || "(nothing was running)"}\n`);
      return 0;
    }
    case "rotate-token": {
      const r = (await call(stateDirOf(io, values.config), "rotate-token", {
        cycle: values.cycle === true,
      })) as {
        source: string;
        cycled: string[];
      };
      io.stdout(`registration token rotated (${r.source}); new instances register with it\n`);
      if (r.cycled.length > 0) io.stdout(`re-registered: ${r.cycled.join(", ")}\n`);
      return 0;
    }
    case "decommission": {
      const runner = one("RUNNER");
      const r = (await call(stateDirOf(io, values.config), "decommission", { runner })) as { id: number };
      io.stdout(`runner ${runner} (id ${r.id}) removed from the forge; its token no longer works\n`);
      return 0;
    }
    case "coverage": {
      const repoDir = resolve(io.cwd, one("REPO_DIR"));
      const { config, file } = configFor(io, values.config, repoDir);
      if (!file) throw new PoolError("CONFIG_INVALID", `no runnerpool.toml found: pass --config FILE\nusage: ${USAGE}`);
      const { rows, errors } = coverage(repoDir, config);
      const unserved = rows.filter((r) => r.role === null);
      if (values.json)
        io.stdout(`${JSON.stringify({ ok: unserved.length === 0 && errors.length === 0, rows, errors }, null, 2)}\n`);
      else {
        for (const r of rows) {
          io.stdout(
            `${r.workflow}: ${r.job} [${r.runsOn.join(", ")}] -> ${r.role ?? `no role serves [${r.runsOn.join(", ")}]`}\n`,
          );
        }
        for (const e of errors) io.stderr(`${e}\n`);
        io.stdout(`${rows.length - unserved.length} of ${rows.length} jobs served by ${file}\n`);
      }
      return unserved.length === 0 && errors.length === 0 ? 0 : 1;
    }
    default:
      throw new PoolError("INVALID_ARGUMENT", `usage: ${USAGE}`);
  }
}
