import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PoolError } from "./errors.js";

/** Per-job resource limits; each one unset means "no limit". */
export interface ResourceLimits {
  /** Bytes of memory (memory.limit_in_bytes). */
  memoryBytes?: number;
  /** CPUs, fractions allowed (cpu.cfs_quota_us / cpu.cfs_period_us). */
  cpus?: number;
  /** Processes and threads at once (pids.max). */
  pids?: number;
}

/** One job's cgroup (v1: one directory per controller). */
export interface JobCgroup {
  /** The group directories, one per controller used. */
  readonly paths: string[];
  /** argv that first moves itself into the group, then execs the given argv: nothing runs outside it. */
  wrap(argv: string[]): string[];
  /** Kills what is still in the group and removes it. */
  remove(): Promise<void>;
}

const ROOT = "/sys/fs/cgroup";
const CPU_PERIOD_US = 100_000;

export function hasLimits(limits: ResourceLimits | undefined): limits is ResourceLimits {
  return limits !== undefined && (limits.memoryBytes ?? limits.cpus ?? limits.pids) !== undefined;
}

/** This process's own group per v1 controller, so job groups nest inside whatever limits it already has. */
function ownGroup(controller: string): string {
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const [, list, path] = line.split(":");
    if (list?.split(",").includes(controller)) return path ?? "/";
  }
  return "/";
}

function controllerDir(controller: string): string | undefined {
  const dir = join(ROOT, controller);
  return existsSync(join(dir, "cgroup.procs")) ? dir : undefined;
}

/** Whether the v1 controllers these limits need are mounted and writable here. */
export function cgroupV1Available(limits: ResourceLimits): boolean {
  return controllersFor(limits).every((c) => controllerDir(c) !== undefined);
}

function controllersFor(limits: ResourceLimits): string[] {
  const out: string[] = [];
  if (limits.memoryBytes !== undefined) out.push("memory");
  if (limits.cpus !== undefined) out.push("cpu");
  if (limits.pids !== undefined) out.push("pids");
  return out;
}

/**
 * Creates a cgroup v1 group per needed controller below this process's own group and writes the
 * limits. Throws BACKEND_UNAVAILABLE when a controller is missing, so a role with limits never
 * runs a job without them.
 */
export async function createCgroup(name: string, limits: ResourceLimits): Promise<JobCgroup> {
  const groupName = `runnerpool-${name.replace(/[^A-Za-z0-9._-]/g, "_")}-${randomUUID().slice(0, 8)}`;
  const paths: string[] = [];
  const created: string[] = [];
  try {
    for (const controller of controllersFor(limits)) {
      const base = controllerDir(controller);
      if (base === undefined) {
        throw new PoolError(
          "BACKEND_UNAVAILABLE",
          `cgroup v1 controller "${controller}" is not mounted at ${ROOT}/${controller}: remove the role's limits or mount it`,
        );
      }
      const dir = join(base, ownGroup(controller), groupName);
      await mkdir(dir);
      created.push(dir);
      if (controller === "memory") {
        await writeFile(join(dir, "memory.limit_in_bytes"), String(limits.memoryBytes));
      } else if (controller === "cpu") {
        await writeFile(join(dir, "cpu.cfs_period_us"), String(CPU_PERIOD_US));
        await writeFile(
          join(dir, "cpu.cfs_quota_us"),
          String(Math.max(1000, Math.round((limits.cpus ?? 1) * CPU_PERIOD_US))),
        );
      } else {
        await writeFile(join(dir, "pids.max"), String(limits.pids));
      }
      paths.push(dir);
    }
  } catch (err) {
    for (const dir of created) await rmdir(dir).catch(() => undefined);
    throw PoolError.from(err, "BACKEND_UNAVAILABLE");
  }
  const joinScript = paths.map((p) => `echo $$ > '${join(p, "cgroup.procs")}' || exit 125`).join("; ");
  return {
    paths,
    wrap: (argv) => (paths.length === 0 ? argv : ["/bin/sh", "-c", `${joinScript}; exec "$@"`, "sh", ...argv]),
    remove: () => removeGroups(paths),
  };
}

async function pidsIn(dir: string): Promise<number[]> {
  try {
    return (await readFile(join(dir, "cgroup.procs"), "utf8"))
      .split("\n")
      .filter((l) => l !== "")
      .map(Number);
  } catch {
    return [];
  }
}

async function removeGroups(paths: string[]): Promise<void> {
  for (const dir of paths) {
    // A group can be removed only when empty; what is left gets killed, and dying takes a moment.
    for (let attempt = 0; attempt < 50; attempt++) {
      for (const pid of await pidsIn(dir)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
      try {
        await rmdir(dir);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") break;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }
}
