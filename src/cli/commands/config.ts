import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { formatProblem, validateConfigText } from "../../config/index.js";
import { PoolError } from "../../lib/index.js";
import type { Io } from "../args.js";
import { renderExampleConfig } from "../example-config.js";

export async function configCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case "validate": {
      const file = resolve(io.cwd, rest[0] ?? "runnerpool.toml");
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (err) {
        throw new PoolError("CONFIG_INVALID", `cannot read "${file}": ${(err as Error).message}`);
      }
      const { config, problems } = validateConfigText(text, rest[0] ?? "runnerpool.toml");
      if (!config) {
        for (const p of problems) io.stderr(`${formatProblem(p)}\n`);
        io.stderr(`${problems.length} problem(s) found\n`);
        return 1;
      }
      io.stdout(
        `${rest[0] ?? "runnerpool.toml"}: ok (${config.role.length} roles: ${config.role.map((r) => r.name).join(", ")})\n`,
      );
      return 0;
    }
    case "example":
      io.stdout(renderExampleConfig());
      return 0;
    default:
      throw new PoolError("INVALID_ARGUMENT", "usage: runnerpool config validate [FILE] | config example");
  }
}
