import { isPoolError, PoolError } from "../lib/index.js";
import type { Io } from "./args.js";
import { usageLines } from "./command-table.js";
import { VERSION } from "./version.js";

const HELP = `runnerpool ${VERSION}: a self-hosted CI runner pool for Gitea and Forgejo Actions

usage:
${usageLines()}
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
      case "service":
        return await (await import("./commands/service.js")).serviceCommand(rest, io);
      case "completion":
        return await (await import("./commands/completion.js")).completionCommand(rest, io);
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
