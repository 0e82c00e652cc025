import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig, withAbsolutePaths } from "../../config/index.js";
import { PoolError } from "../../lib/index.js";
import { renderUnit, UNIT_NAME } from "./unit.js";

export interface InstallOptions {
  user: string;
  /** The config file as the service sees it (absolute). */
  config: string;
  /** Prepended to every path written (a staging root, like DESTDIR); "/" for the real system. */
  prefix: string;
}

/** One thing `service install` does, said before it is done. */
export interface InstallStep {
  what: string;
  apply: () => void;
}

export interface InstallPlan {
  unit: string;
  unitFile: string;
  steps: InstallStep[];
  /** Things the operator should know or do next. */
  notes: string[];
}

export const DEFAULT_STATE_DIR = "/var/lib/runnerpool";

const BIN = fileURLToPath(new URL("../../../bin/runnerpool.js", import.meta.url));

function tool(command: string, args: string[]): string | undefined {
  const r = spawnSync(command, args, { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function idOf(kind: "passwd" | "group", name: string): number {
  const entry = tool("getent", [kind, name]);
  const id = Number(entry?.split(":")[2]);
  if (!Number.isInteger(id)) throw new PoolError("NOT_FOUND", `no ${kind === "passwd" ? "user" : "group"} "${name}"`);
  return id;
}

function defaultConfigText(stateDir: string): string {
  return `# Written by \`runnerpool service install\`; \`runnerpool config example\` lists every key.
# Relative paths here are relative to this file's directory.
[runner]
state_dir = "${stateDir}"
workdir_parent = "${stateDir}/work"

[[role]]
name = "linux"
labels = ["self-hosted", "linux"]
`;
}

/** What the config says about directories and the engines its roles need; the defaults when it is not there yet. */
function readPlace(file: string, real: string) {
  if (!existsSync(file)) {
    return {
      exists: false,
      stateDir: DEFAULT_STATE_DIR,
      workDir: `${DEFAULT_STATE_DIR}/work`,
      engines: new Set<string>(),
    };
  }
  const config = withAbsolutePaths(loadConfig(file), dirname(real));
  const engines = new Set(config.role.flatMap((r) => [r.backend, r.provider]));
  return { exists: true, stateDir: config.runner.state_dir, workDir: config.runner.workdir_parent, engines };
}

/** The steps of `service install`, decided from the system as it is now; nothing is changed yet. */
export function planInstall(o: InstallOptions): InstallPlan {
  const at = (p: string) => join(o.prefix, p);
  const userExists = tool("getent", ["passwd", o.user]) !== undefined;
  const group = (userExists ? tool("id", ["-gn", o.user]) : undefined) ?? o.user;
  const place = readPlace(at(o.config), o.config);
  const notes: string[] = [];
  const steps: InstallStep[] = [];
  const own = (path: string, user: string, mode: number) => {
    chownSync(at(path), user === "root" ? 0 : idOf("passwd", user), idOf("group", group));
    chmodSync(at(path), mode);
  };
  const owned = (path: string, user: string, mode: number) => () => {
    mkdirSync(at(path), { recursive: true });
    own(path, user, mode);
  };
  if (!userExists) {
    const args = [
      "--system",
      "--user-group",
      "--home-dir",
      place.stateDir,
      "--no-create-home",
      "--shell",
      "/usr/sbin/nologin",
      o.user,
    ];
    steps.push({
      what: `create the system user ${o.user} (useradd ${args.join(" ")})`,
      apply: () => {
        const r = spawnSync("useradd", args, { encoding: "utf8" });
        if (r.status !== 0)
          throw new PoolError("INTERNAL", `useradd failed: ${(r.stderr || r.error?.message || "").trim()}`);
      },
    });
  }
  const configDir = dirname(o.config);
  steps.push({
    what: `directory ${configDir}: owner root:${group}, mode 0750`,
    apply: owned(configDir, "root", 0o750),
  });
  if (place.exists) notes.push(`kept the existing config ${o.config}; the service user must be able to read it`);
  else {
    steps.push({
      what: `config ${o.config}: a one-role pool with state in ${place.stateDir}; owner root:${group}, mode 0640`,
      apply: () => {
        writeFileSync(at(o.config), defaultConfigText(place.stateDir), { mode: 0o640 });
        own(o.config, "root", 0o640);
      },
    });
  }
  for (const [what, dir] of [
    ["state", place.stateDir],
    ["work", place.workDir],
  ] as const) {
    steps.push({
      what: `${what} directory ${dir}: owner ${o.user}:${group}, mode 0700`,
      apply: owned(dir, o.user, 0o700),
    });
  }
  const groups: string[] = [];
  if (place.engines.has("docker")) {
    if (tool("getent", ["group", "docker"]) !== undefined) {
      groups.push("docker");
      notes.push("roles use Docker: the unit adds the docker group (its members can act as root on this host)");
    } else notes.push("roles use Docker but there is no docker group: install docker.io first, then run this again");
  }
  if (place.engines.has("podman")) {
    notes.push(
      `roles use Podman (rootless): give ${o.user} subordinate ids, e.g. usermod --add-subuids 200000-265535 --add-subgids 200000-265535 ${o.user}`,
    );
  }
  if (/^\/(root|home)\//.test(BIN)) {
    notes.push(
      `${BIN} is under a home directory: ${o.user} may not read it; install runnerpool under /opt (docs/operations.md)`,
    );
  }
  const unit = renderUnit({
    user: o.user,
    group,
    config: o.config,
    stateDir: place.stateDir,
    workDir: place.workDir,
    node: process.execPath,
    bin: BIN,
    supplementaryGroups: groups,
    stopTimeout: "30min",
  });
  const unitFile = join("/etc/systemd/system", UNIT_NAME);
  steps.push({
    what: `unit ${unitFile}: mode 0644`,
    apply: () => {
      mkdirSync(dirname(at(unitFile)), { recursive: true });
      writeFileSync(at(unitFile), unit, { mode: 0o644 });
      chmodSync(at(unitFile), 0o644);
    },
  });
  return { unit, unitFile, steps, notes };
}
