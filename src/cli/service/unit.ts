/** Where and as whom `up` runs under systemd. */
export interface UnitSettings {
  user: string;
  group: string;
  /** Absolute path of the config file `up` reads. */
  config: string;
  stateDir: string;
  workDir: string;
  /** Node and the CLI entry point `ExecStart` runs. */
  node: string;
  bin: string;
  /** Extra groups, e.g. `docker` for roles on the Docker socket. */
  supplementaryGroups: string[];
  /** How long a stop may wait for running jobs to finish before they are killed. */
  stopTimeout: string;
}

export const UNIT_NAME = "runnerpool.service";

/**
 * The systemd unit for `runnerpool up`. Hardening is what the backends still allow: bubblewrap
 * creates user, mount, pid and network namespaces (so no RestrictNamespaces, PrivateUsers or
 * ProtectHostname, and AF_NETLINK stays for the sandbox's loopback), Node's JIT needs writable and
 * executable memory (no MemoryDenyWriteExecute), and the Docker socket is reached through a group.
 */
export function renderUnit(s: UnitSettings): string {
  const writable = [...new Set([s.stateDir, s.workDir])].join(" ");
  const groups = s.supplementaryGroups.length > 0 ? `SupplementaryGroups=${s.supplementaryGroups.join(" ")}\n` : "";
  return `# Written by \`runnerpool service install\`; see docs/operations.md.
[Unit]
Description=runnerpool: CI runner pool for Gitea and Forgejo Actions
After=network-online.target docker.service
Wants=network-online.target

[Service]
Type=simple
User=${s.user}
Group=${s.group}
${groups}WorkingDirectory=${s.stateDir}
Environment=HOME=${s.stateDir}
Environment=RUNNERPOOL_LOG_LEVEL=info
ExecStart=${s.node} ${s.bin} up --config ${s.config}
# SIGHUP re-reads the config; SIGTERM drains: running jobs finish, then the process exits.
ExecReload=/bin/kill -HUP $MAINPID
# Only the main process gets SIGTERM, so jobs are not killed with it; what is left after the timeout is.
KillMode=mixed
TimeoutStopSec=${s.stopTimeout}
Restart=on-failure
RestartSec=5s
# Progress and logs go to the journal as plain lines (journalctl -u runnerpool).
StandardOutput=journal
StandardError=journal
SyslogIdentifier=runnerpool

# Hardening that leaves bubblewrap, Docker and Podman working.
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=${writable}
ProtectHome=read-only
PrivateTmp=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectClock=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
LockPersonality=yes
SystemCallArchitectures=native
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK

[Install]
WantedBy=multi-user.target
`;
}
