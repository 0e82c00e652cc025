/** What the command processor needs from the job. */
export interface CommandHost {
  /** A line for the job log (masked by the host). */
  log(line: string): void;
  addMask(value: string): void;
  /** Legacy `::set-output`. */
  setOutput(name: string, value: string): void;
  /** Whether `::debug::` lines are shown (secrets/vars ACTIONS_STEP_DEBUG). */
  readonly debug: boolean;
}

interface Command {
  name: string;
  properties: Record<string, string>;
  message: string;
}

const COMMAND = /^::([A-Za-z][A-Za-z0-9-]*)(?: ([^:]*))?::(.*)$/;
const LEGACY = /^##\[([A-Za-z][A-Za-z0-9-]*)(?: ([^\]]*))?\](.*)$/;

function decode(text: string, property: boolean): string {
  const re = property ? /%(25|0D|0A|3A|2C)/gi : /%(25|0D|0A)/gi;
  return text.replace(re, (_, code: string) => {
    switch (code.toUpperCase()) {
      case "0D":
        return "\r";
      case "0A":
        return "\n";
      case "3A":
        return ":";
      case "2C":
        return ",";
      default:
        return "%";
    }
  });
}

export function parseCommand(line: string): Command | undefined {
  const m = COMMAND.exec(line) ?? LEGACY.exec(line);
  if (!m) return undefined;
  const properties: Record<string, string> = {};
  for (const pair of (m[2] ?? "").split(",")) {
    const eq = pair.indexOf("=");
    if (eq > 0) properties[pair.slice(0, eq).trim()] = decode(pair.slice(eq + 1), true);
  }
  return { name: (m[1] as string).toLowerCase(), properties, message: decode(m[3] ?? "", false) };
}

/**
 * Interprets the stdout workflow commands of one step, line by line: `add-mask` registers a mask
 * and is dropped, `debug` shows only with step debug, `set-output` (deprecated) sets an output with
 * a warning, `stop-commands` suspends all of this until its token; everything else passes through.
 */
export class CommandProcessor {
  readonly #host: CommandHost;
  #stopToken: string | undefined;

  constructor(host: CommandHost) {
    this.#host = host;
  }

  line(line: string): void {
    if (this.#stopToken !== undefined) {
      if (line.trim() === `::${this.#stopToken}::`) this.#stopToken = undefined;
      else this.#host.log(line);
      return;
    }
    const command = line.startsWith("::") || line.startsWith("##[") ? parseCommand(line.trim()) : undefined;
    if (command === undefined) {
      this.#host.log(line);
      return;
    }
    switch (command.name) {
      case "add-mask":
        this.#host.addMask(command.message);
        return;
      case "debug":
        if (this.#host.debug) this.#host.log(line);
        return;
      case "set-output": {
        const name = command.properties.name;
        if (name) this.#host.setOutput(name, command.message);
        this.#host.log(
          "::warning::The `set-output` command is deprecated and will be disabled soon. Please upgrade to using Environment Files.",
        );
        return;
      }
      case "stop-commands":
        if (command.message !== "") this.#stopToken = command.message;
        this.#host.log(line);
        return;
      default:
        this.#host.log(line);
    }
  }
}
