import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { formatProblem, importActRunner, validateConfigText } from "../../config/index.js";
import { errorMessage, PoolError } from "../../lib/index.js";
import type { Io } from "../args.js";
import { renderExampleConfig } from "../example-config.js";

const USAGE = "runnerpool config validate [FILE] | config example | config import-act-runner CONFIG_YAML [.runner]";

function read(io: Io, file: string, what: string): string {
  try {
    return readFileSync(resolve(io.cwd, file), "utf8");
  } catch (err) {
    throw new PoolError("CONFIG_INVALID", `cannot read ${what} "${file}": ${errorMessage(err)}`);
  }
}

export async function configCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case "validate": {
      const name = rest[0] ?? "runnerpool.toml";
      const { config, problems } = validateConfigText(read(io, name, "config file"), name, {
        baseDir: dirname(resolve(io.cwd, name)),
      });
      if (!config) {
        for (const p of problems) io.stderr(`${formatProblem(p)}\n`);
        io.stderr(`${problems.length} problem(s) found\n`);
        return 1;
      }
      io.stdout(`${name}: ok (${config.role.length} roles: ${config.role.map((r) => r.name).join(", ")})\n`);
      return 0;
    }
    case "example":
      io.stdout(renderExampleConfig());
      return 0;
    case "import-act-runner": {
      const [yamlFile, runnerFile] = rest;
      if (!yamlFile || rest.length > 2) throw new PoolError("INVALID_ARGUMENT", `usage: ${USAGE}`);
      const imported = importActRunner(
        read(io, yamlFile, "act_runner config"),
        runnerFile === undefined ? undefined : read(io, runnerFile, ".runner file"),
      );
      io.stdout(imported.toml);
      io.stderr("what to change before `runnerpool up`:\n");
      for (const c of imported.changes) io.stderr(`  - ${c}\n`);
      return 0;
    }
    default:
      throw new PoolError("INVALID_ARGUMENT", `usage: ${USAGE}`);
  }
}
