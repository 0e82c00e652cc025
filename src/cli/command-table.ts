/**
 * Every command, its usage lines and its flags: `runnerpool help` and the shell completions are
 * rendered from this one table. A command added to `main.ts` is added here too (a test checks).
 */
export interface CommandSpec {
  name: string;
  /** Help lines after `runnerpool <name>`; later lines continue the first. */
  usage: string[];
  /** Flags of a command without subcommands. */
  flags?: string[];
  /** Subcommands and the flags each takes. */
  subcommands?: Record<string, string[]>;
}

const POOL_FLAGS = ["--config", "--json"];

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: "up",
    usage: ["[--config runnerpool.toml] [--listen HOST:PORT] [--json] [--no-logs]"],
    flags: ["--config", "--listen", "--json", "--no-logs"],
  },
  {
    name: "run",
    usage: [
      "[REPO_DIR] [--workflow FILE]... [--event push|workflow_dispatch] [--ref REF]",
      "[--input K=V]... [--secret K=V]... [--var K=V]... [--config FILE] [--json]",
    ],
    flags: ["--workflow", "--event", "--ref", "--input", "--secret", "--var", "--config", "--json", "--no-logs"],
  },
  {
    name: "runner",
    usage: [
      "register --instance URL --token TOKEN [--name N] [--labels a,b] [--file .runner]",
      "start [--file .runner] [--capacity N] [--backend host|sandbox]",
    ],
    subcommands: {
      register: ["--instance", "--token", "--name", "--labels", "--file"],
      start: ["--file", "--capacity", "--backend", "--workdir", "--fetch-wait"],
    },
  },
  {
    name: "pool",
    usage: [
      "status | add ROLE | drain INSTANCE|ROLE | rotate-token [--cycle]",
      "| decommission RUNNER | coverage REPO_DIR   [--config FILE]",
    ],
    subcommands: {
      status: POOL_FLAGS,
      add: POOL_FLAGS,
      drain: POOL_FLAGS,
      "rotate-token": [...POOL_FLAGS, "--cycle"],
      decommission: POOL_FLAGS,
      coverage: POOL_FLAGS,
    },
  },
  {
    name: "runs",
    usage: [
      "list [--json] | show RUN [--json] | logs JOB [--follow] | cancel RUN",
      "| rerun RUN [--failed] | dispatch WORKFLOW [--ref REF] [--input K=V]...   [--config FILE]",
    ],
    subcommands: {
      list: ["--config", "--json", "--limit"],
      show: ["--config", "--json"],
      logs: ["--config", "--follow"],
      cancel: ["--config"],
      rerun: ["--config", "--failed"],
      dispatch: ["--config", "--repo", "--ref", "--input"],
    },
  },
  {
    name: "migrate",
    usage: ["audit|rewrite DIR ... | compare A [B] [--db FILE] | promote WORKFLOW [--required N]"],
    subcommands: {
      audit: ["--config", "--format"],
      rewrite: ["--label-map", "--config", "--v2", "--dry-run"],
      compare: ["--db", "--json", "--history", "--no-history", "--required"],
      promote: ["--history", "--required", "--archive", "--dry-run", "--json"],
    },
  },
  {
    name: "config",
    usage: ["validate [FILE] | example | import-act-runner CONFIG_YAML [.runner]"],
    subcommands: { validate: [], example: [], "import-act-runner": [] },
  },
  {
    name: "service",
    usage: ["install [--user runnerpool] [--config /etc/runnerpool/runnerpool.toml] [--prefix DIR] [--dry-run]"],
    subcommands: { install: ["--user", "--config", "--prefix", "--dry-run"] },
  },
  { name: "completion", usage: ["bash|zsh"], subcommands: { bash: [], zsh: [] } },
  { name: "version", usage: [""], flags: [] },
];

/** The values a flag takes, where there is a fixed list. */
export const FLAG_VALUES: Readonly<Record<string, readonly string[]>> = {
  "--backend": ["host", "sandbox"],
  "--event": ["push", "workflow_dispatch"],
  "--format": ["text", "json", "sarif"],
};

/** The usage block of `runnerpool help`. */
export function usageLines(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  // A line that starts with "[" or "|" continues the one above; any other names the command again.
  const lead = (c: CommandSpec, line: string, i: number) =>
    i === 0 || !/^[[|]/.test(line) ? `runnerpool ${c.name.padEnd(width)}` : " ".repeat("runnerpool ".length + width);
  return COMMANDS.flatMap((c) => c.usage.map((line, i) => `  ${lead(c, line, i)} ${line}`.trimEnd())).join("\n");
}
