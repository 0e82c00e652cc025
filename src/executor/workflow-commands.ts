/** What the command processor needs from the job. */
export interface CommandHost {
  /** A line for the job log (masked by the host). */
  log(line: string): void;
  addMask(value: string): void;
  /** Legacy `::set-output`. */
  setOutput(name: string, value: string): void;
  /** Legacy `::save-state`; absent hosts ignore it. */
  saveState?(name: string, value: string): void;
  /** Legacy `::set-env`, honoured only when `allowUnsecureCommands`. */
  setEnv?(name: string, value: string): void;
  /** Legacy `::add-path`, honoured only when `allowUnsecureCommands`. */
  addPath?(dir: string): void;
  /** Whether `::debug::` lines are shown (secrets/vars ACTIONS_STEP_DEBUG). */
  readonly debug: boolean;
  /** ACTIONS_ALLOW_UNSECURE_COMMANDS=true in the step's environment. */
  readonly allowUnsecureCommands?: boolean;
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

const ANNOTATIONS = new Set(["notice", "warning", "error"]);

/**
 * An annotation as one log line: the location and title are folded into the text (as act_runner
 * does), e.g. `::error::src/a.js:10:5: Lint: missing semicolon`.
 */
export function annotationLine(command: Command): string {
  const p = command.properties;
  let where = p.file ?? "";
  if (where !== "" && p.line) where += `:${p.line}${p.col ? `:${p.col}` : ""}`;
  const parts = [where, p.title ?? ""].filter((x) => x !== "");
  const prefix = parts.length > 0 ? `${parts.join(": ")}: ` : "";
  return `::${command.name}::${prefix}${command.message}`;
}

/**
 * Interprets the stdout workflow commands of one step, line by line: `add-mask` registers a mask
 * and is dropped, `debug` shows only with step debug, annotations fold their location into the
 * text, `set-output`/`save-state` (deprecated) work with a warning, `set-env`/`add-path` only when
 * unsecure commands are allowed, `stop-commands` suspends all of this until its token, `echo`
 * turns echoing of command lines on and off; everything else passes through.
 */
export class CommandProcessor {
  readonly #host: CommandHost;
  #stopToken: string | undefined;
  #echo = false;

  constructor(host: CommandHost) {
    this.#host = host;
  }

  line(line: string): void {
    if (this.#stopToken !== undefined) {
      if (line.trim() === `::${this.#stopToken}::`) this.#stopToken = undefined;
      else this.#host.log(line);
      return;
    }
    const trimmed = line.trimStart();
    const command = trimmed.startsWith("::") || trimmed.startsWith("##[") ? parseCommand(trimmed.trim()) : undefined;
    if (command === undefined) {
      this.#host.log(line);
      return;
    }
    const echo = () => {
      if (this.#echo) this.#host.log(line);
    };
    const deprecated = (name: string) =>
      this.#host.log(
        `::warning::The \`${name}\` command is deprecated and will be disabled soon. Please upgrade to using Environment Files.`,
      );
    switch (command.name) {
      case "add-mask":
        this.#host.addMask(command.message);
        return;
      case "debug":
        if (this.#host.debug) this.#host.log(line);
        return;
      case "echo":
        if (command.message.toLowerCase() === "on") this.#echo = true;
        else if (command.message.toLowerCase() === "off") this.#echo = false;
        return;
      case "set-output": {
        echo();
        const name = command.properties.name;
        if (name) this.#host.setOutput(name, command.message);
        deprecated("set-output");
        return;
      }
      case "save-state": {
        echo();
        const name = command.properties.name;
        if (name) this.#host.saveState?.(name, command.message);
        deprecated("save-state");
        return;
      }
      case "set-env":
      case "add-path":
        echo();
        this.#unsecure(command);
        return;
      case "stop-commands":
        if (command.message !== "") this.#stopToken = command.message;
        this.#host.log(line);
        return;
      default:
        if (ANNOTATIONS.has(command.name)) this.#host.log(annotationLine(command));
        else this.#host.log(line);
    }
  }

  #unsecure(command: Command): void {
    if (!this.#host.allowUnsecureCommands) {
      this.#host.log(
        `::error::The \`${command.name}\` command is disabled. Please upgrade to using Environment Files or opt into unsecure command execution by setting the \`ACTIONS_ALLOW_UNSECURE_COMMANDS\` environment variable to \`true\`.`,
      );
      return;
    }
    if (command.name === "add-path") {
      if (command.message !== "") this.#host.addPath?.(command.message);
      return;
    }
    const name = command.properties.name;
    if (name) this.#host.setEnv?.(name, command.message);
  }
}
