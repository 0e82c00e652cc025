import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** The keys our unit may use, for the parse check on machines without systemd-analyze. */
const KNOWN: Record<string, readonly string[]> = {
  Unit: ["Description", "Documentation", "After", "Wants", "Requires"],
  Service: [
    "Type",
    "User",
    "Group",
    "SupplementaryGroups",
    "WorkingDirectory",
    "Environment",
    "ExecStart",
    "ExecReload",
    "KillMode",
    "TimeoutStopSec",
    "Restart",
    "RestartSec",
    "StandardOutput",
    "StandardError",
    "SyslogIdentifier",
    "NoNewPrivileges",
    "ProtectSystem",
    "ReadWritePaths",
    "ProtectHome",
    "PrivateTmp",
    "ProtectKernelTunables",
    "ProtectKernelModules",
    "ProtectKernelLogs",
    "ProtectClock",
    "RestrictSUIDSGID",
    "RestrictRealtime",
    "LockPersonality",
    "SystemCallArchitectures",
    "RestrictAddressFamilies",
    "UMask",
  ],
  Install: ["WantedBy"],
};

/** Whether `systemd-analyze verify` can be used here. */
export function haveSystemdAnalyze(): boolean {
  return spawnSync("systemd-analyze", ["--version"], { stdio: "ignore" }).status === 0;
}

/**
 * Problems with a unit file: what `systemd-analyze verify` prints (it exits 0 on unknown keys but
 * says so), else a parse check of sections and keys. An empty list means the unit is good.
 */
export function unitProblems(file: string): string[] {
  if (haveSystemdAnalyze()) {
    const r = spawnSync("systemd-analyze", ["verify", "--man=no", file], { encoding: "utf8" });
    const out = `${r.stdout}${r.stderr}`.split("\n").filter((l) => l.trim() !== "");
    return r.status === 0 ? out : [`exit ${r.status}`, ...out];
  }
  const problems: string[] = [];
  let section: string | undefined;
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "" || line.startsWith("#")) return;
      const header = /^\[(\w+)\]$/.exec(line);
      if (header) {
        section = header[1];
        if (!section || !KNOWN[section]) problems.push(`${i + 1}: unknown section ${line}`);
        return;
      }
      const key = /^([A-Za-z]+)=\S/.exec(line)?.[1];
      if (!section || !key || !KNOWN[section]?.includes(key))
        problems.push(`${i + 1}: not a known key of [${section}]: ${line}`);
    });
  return problems;
}
