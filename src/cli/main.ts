import { isPoolError, PoolError } from "../lib/index.js";
import type { Io } from "./args.js";
import { VERSION } from "./version.js";

const HELP = `runnerpool ${VERSION}: a self-hosted CI runner pool for Gitea and Forgejo Actions

usage:
  runnerpool up      [--config runnerpool.toml] [--listen HOST:PORT] [--json]
  runnerpool run     [REPO_DIR] [--workflow FILE]... [--event push|workflow_dispatch] [--ref REF]
                     [--input K=V]... [--secret K=V]... [--var K=V]... [--config FILE] [--json]
  runnerpool runner  register --instance URL --token TOKEN [--name N] [--labels a,b] [--file .runner]
  runnerpool runner  start [--file .runner] [--capacity N] [--backend host|sandbox]
  runnerpool pool    status | add ROLE | drain INSTANCE|ROLE | rotate-token [--cycle]
                     | decommission RUNNER | coverage REPO_DIR   [--config FILE]
  runnerpool runs    list [--json] | show RUN [--json] | logs JOB [--follow] | cancel RUN
                     | rerun RUN [--failed] | dispatch WORKFLOW [--ref REF] [--input K=V]...   [--config FILE]
  runnerpool migrate audit|rewrite DIR ... | compare A [B] [--db FILE] | promote WORKFLOW [--required N]
  runnerpool config  validate [FILE] | example | import-act-runner CONFIG_YAML [.runner]
  runnerpool version
`;

function defaultIo(): Io {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    cwd: process.cwd(),
    isTTY: process.stdout.isTTY === true,
  };
}

// Commands are imported on use, so `version` or a usage error does not load SQLite, the executor and the parser.
/** The composition root: maps a command line onto modules. Returns the exit code. */
export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "run":
        return await (await import("./commands/run.js")).runCommand(rest, io);
      case "up":
        return await (await import("./commands/up.js")).upCommand(rest, io);
      case "runner":
        return await (await import("./commands/runner.js")).runnerCommand(rest, io);
      case "config":
        return await (await import("./commands/config.js")).configCommand(rest, io);
      case "pool":
        return await (await import("./commands/pool.js")).poolCommand(rest, io);
      case "runs":
        return await (await import("./commands/runs.js")).runsCommand(rest, io);
      case "migrate":
        return await (await import("./commands/migrate.js")).migrateCommand(rest, io);
      case "version":
      case "--version":
        io.stdout(`${VERSION}\n`);
        return 0;
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new PoolError("INVALID_ARGUMENT", `unknown command "${command}": run "runnerpool help"`);
    }
  } catch (err) {
    const e = PoolError.from(err);
    io.stderr(`runnerpool: ${e.located}\n`);
    if (!isPoolError(err) && process.env.RUNNERPOOL_DEBUG) io.stderr(`${(err as Error).stack}\n`);
    return e.code === "INVALID_ARGUMENT" ? 2 : 1;
  }
}
