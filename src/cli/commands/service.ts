import { isAbsolute, resolve } from "node:path";
import { PoolError } from "../../lib/index.js";
import { type Io, parseCommandArgs } from "../args.js";
import { planInstall } from "../service/install.js";

const USAGE =
  "runnerpool service install [--user runnerpool] [--config /etc/runnerpool/runnerpool.toml] [--prefix DIR] [--dry-run]";

/** `service install`: a systemd unit for `up`, its user, and its directories with owners and modes. */
export async function serviceCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseCommandArgs(
    rest,
    {
      user: { type: "string", default: "runnerpool" },
      config: { type: "string", default: "/etc/runnerpool/runnerpool.toml" },
      prefix: { type: "string", default: "/" },
      "dry-run": { type: "boolean", default: false },
    },
    USAGE,
  );
  if (sub !== "install" || positionals.length > 0) throw new PoolError("INVALID_ARGUMENT", `usage: ${USAGE}`);
  const config = values.config ?? "";
  if (!isAbsolute(config)) {
    throw new PoolError("INVALID_ARGUMENT", `--config "${config}" must be absolute: it is the path the service reads`);
  }
  const dryRun = values["dry-run"] === true;
  if (!dryRun && process.getuid?.() !== 0) {
    throw new PoolError(
      "INVALID_ARGUMENT",
      "service install creates a user and chowns directories: run it as root, or add --dry-run",
    );
  }
  const prefix = resolve(io.cwd, values.prefix ?? "/");
  const plan = planInstall({ user: values.user ?? "runnerpool", config, prefix });
  const where = prefix === "/" ? "" : ` (under ${prefix})`;
  if (dryRun) {
    io.stdout(`# ${plan.unitFile}${where}\n${plan.unit}\n`);
    io.stdout(`would do${where}:\n`);
    for (const s of plan.steps) io.stdout(`  ${s.what}\n`);
  } else {
    for (const s of plan.steps) {
      s.apply();
      io.stdout(`done: ${s.what}${where}\n`);
    }
  }
  for (const n of plan.notes) io.stdout(`note: ${n}\n`);
  io.stdout(`next: systemctl daemon-reload && systemctl enable --now runnerpool; logs: journalctl -u runnerpool -f\n`);
  return 0;
}
