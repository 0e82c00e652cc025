import { PoolError } from "../../lib/index.js";
import type { Io } from "../args.js";
import { bashCompletion, zshCompletion } from "../completion.js";

const USAGE = "runnerpool completion bash|zsh";

/** Prints the completion script for a shell. */
export async function completionCommand(argv: string[], io: Io): Promise<number> {
  const [shell, ...rest] = argv;
  if (rest.length > 0 || (shell !== "bash" && shell !== "zsh")) {
    throw new PoolError("INVALID_ARGUMENT", `name a shell: bash or zsh\nusage: ${USAGE}`);
  }
  io.stdout(shell === "bash" ? bashCompletion() : zshCompletion());
  return 0;
}
