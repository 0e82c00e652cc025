import { mkdir } from "node:fs/promises";
import { posix, relative, resolve } from "node:path";
import { PoolError } from "../../lib/index.js";
import { splitArgs } from "../shell.js";
import { SANDBOX_PATHS } from "./sandbox.js";

/** A job's `container:` or one `services.<id>`, checked and turned into what `<engine> run` needs. */
export interface JobContainerSpec {
  image: string;
  env: Record<string, string>;
  /** `--volume=` arguments, every host source inside the job's workspace. */
  volumes: string[];
  /** `services.<id>.entrypoint` (act/Forgejo extension). */
  entrypoint?: string;
  /** `services.<id>.cmd` (act/Forgejo; `command` is accepted too): replaces the image's CMD. */
  cmd: string[];
  /** From `--health-cmd` and friends: the runner runs the check itself (podman has no timer here). */
  health?: HealthCheck;
}

export interface HealthCheck {
  /** Run with `sh -c` inside the container, like Docker's CMD-SHELL. */
  cmd: string;
  intervalMs: number;
  timeoutMs: number;
  retries: number;
}

/**
 * `options:` flags a job may give and the runner drops: the runner's role sets the limits, and a job
 * must not raise them. `--health-*` flags are read into a `HealthCheck` instead.
 */
const IGNORED_WITH_VALUE = new Set([
  "--cpus",
  "--cpu-shares",
  "--memory",
  "--memory-swap",
  "--memory-reservation",
  "--shm-size",
  "--pids-limit",
  "--health-start-period",
  "--hostname",
]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function text(v: unknown): string {
  return typeof v === "string" ? v : v === undefined || v === null ? "" : String(v);
}

function fail(what: string, message: string): never {
  throw new PoolError("BACKEND_UNAVAILABLE", `${what}: ${message}`);
}

/** Docker's duration syntax as health options use it: `10s`, `1m30s`, `500ms`, a bare number is seconds. */
function durationMs(what: string, text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let end = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * (units[m[2] ?? "s"] ?? 1000);
    end = (m.index ?? 0) + m[0].length;
  }
  if (end !== text.length || text === "") fail(what, `"${text}" is not a duration: write it like 10s or 1m`);
  return total;
}

function parseOptions(what: string, options: string, env: Record<string, string>, health: Partial<HealthCheck>): void {
  const words = splitArgs(options);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    const eq = word.indexOf("=");
    const flag = word.startsWith("--") && eq > 0 ? word.slice(0, eq) : word;
    const inline = flag === word ? undefined : word.slice(eq + 1);
    const value = (): string => {
      if (inline !== undefined) return inline;
      i++;
      const next = words[i];
      if (next === undefined) fail(what, `option "${flag}" needs a value`);
      return next;
    };
    if (IGNORED_WITH_VALUE.has(flag)) value();
    else if (flag === "--health-cmd") health.cmd = value();
    else if (flag === "--health-interval") health.intervalMs = durationMs(what, value());
    else if (flag === "--health-timeout") health.timeoutMs = durationMs(what, value());
    else if (flag === "--health-retries") health.retries = Number.parseInt(value(), 10) || 3;
    else if (flag === "-e" || flag === "--env") {
      const pair = value();
      const at = pair.indexOf("=");
      if (at > 0) env[pair.slice(0, at)] = pair.slice(at + 1);
    } else if (flag === "--init" || flag === "--rm") {
      // Harmless: the runner removes every container after the job anyway.
    } else {
      fail(
        what,
        `option "${flag}" is not supported on this runner: use only --cpus, --memory, --env/-e, --hostname and --health-* (the role sets limits and network)`,
      );
    }
  }
}

/** A volume source as the job sees it (`./x`, `x`, `/workspace/x`) → the host path, refusing anything outside. */
async function volumeArgument(what: string, entry: string, hostWorkspace: string): Promise<string> {
  const parts = entry.split(":");
  if (parts.length === 1) return `--volume=${entry}`; // Anonymous: removed with the container.
  const [source = "", target = "", mode] = parts;
  const inside = source.startsWith(`${SANDBOX_PATHS.workspace}/`) || source === SANDBOX_PATHS.workspace;
  if (source.startsWith("/") && !inside) {
    fail(
      what,
      `volume "${entry}" mounts a host path outside the workspace: only paths inside the workspace (${SANDBOX_PATHS.workspace}) can be mounted`,
    );
  }
  if (!source.startsWith("/") && !source.startsWith(".")) {
    fail(what, `volume "${entry}" names a volume: only paths inside the workspace can be mounted here`);
  }
  const rel = inside ? posix.relative(SANDBOX_PATHS.workspace, source) : source;
  const host = resolve(hostWorkspace, rel);
  const back = relative(hostWorkspace, host);
  if (back.startsWith("..")) fail(what, `volume "${entry}" leaves the workspace: only paths inside it can be mounted`);
  await mkdir(host, { recursive: true });
  return `--volume=${host}:${target}${mode === undefined ? "" : `:${mode}`}`;
}

/** Checks a `container:`/`services.<id>` value; `what` names it in errors ("container", "service 'db'"). */
export async function jobContainerSpec(
  what: string,
  spec: Record<string, unknown>,
  hostWorkspace: string,
): Promise<JobContainerSpec> {
  const image = text(spec.image).replace(/^docker:\/\//, "");
  if (image === "") fail(what, "no image is given: set image:");
  const env: Record<string, string> = {};
  if (isRecord(spec.env)) for (const [k, v] of Object.entries(spec.env)) env[k] = text(v);
  const health: Partial<HealthCheck> = {};
  parseOptions(what, text(spec.options), env, health);
  const volumes: string[] = [];
  if (Array.isArray(spec.volumes)) {
    for (const v of spec.volumes) volumes.push(await volumeArgument(what, text(v), hostWorkspace));
  }
  const rawCmd = spec.cmd ?? spec.command;
  const cmd = Array.isArray(rawCmd) ? rawCmd.map(text) : rawCmd === undefined ? [] : splitArgs(text(rawCmd));
  const out: JobContainerSpec = { image, env, volumes, cmd };
  if (text(spec.entrypoint) !== "") out.entrypoint = text(spec.entrypoint);
  if (health.cmd !== undefined && health.cmd !== "" && health.cmd.toUpperCase() !== "NONE") {
    // Docker's defaults.
    out.health = {
      cmd: health.cmd,
      intervalMs: health.intervalMs ?? 30_000,
      timeoutMs: health.timeoutMs ?? 30_000,
      retries: health.retries ?? 3,
    };
  }
  return out;
}
