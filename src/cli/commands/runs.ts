import { resolve } from "node:path";
import { CONFIG_FILE, readStateDir } from "../../config/index.js";
import { PoolError } from "../../lib/index.js";
import { findAdmin } from "../../pool/index.js";
import { type ApiClient, createApiClient } from "../../web/index.js";
import { type Io, keyValues, parseCommandArgs } from "../args.js";
import { printRun, printRunList } from "../runs-print.js";

const USAGE = `runnerpool runs list [--limit N] [--json] | show RUN [--json] | logs JOB [--follow]
                | cancel RUN | rerun RUN [--failed]
                | dispatch WORKFLOW [--repo OWNER/NAME] [--ref REF] [--input K=V]...   (all take --config FILE)`;

/** The API of the `up` that owns the config's state directory, found the way `pool` finds it. */
function clientFor(io: Io, config: string | undefined, signal?: AbortSignal): ApiClient {
  const file = resolve(io.cwd, config ?? CONFIG_FILE);
  const { url, token } = findAdmin(resolve(io.cwd, readStateDir(file, { mustExist: config !== undefined })));
  return createApiClient({ url, token, ...(signal ? { signal } : {}) });
}

function idOf(value: string | undefined, what: string): number {
  if (value === undefined || !/^\d+$/.test(value)) {
    throw new PoolError("INVALID_ARGUMENT", `runs takes a ${what} id (a number)\nusage: ${USAGE}`);
  }
  return Number(value);
}

/** What each subcommand's first argument is, checked before any pool is looked for. */
const ARGUMENT: Record<string, "RUN" | "JOB" | "WORKFLOW" | undefined> = {
  list: undefined,
  show: "RUN",
  logs: "JOB",
  cancel: "RUN",
  rerun: "RUN",
  dispatch: "WORKFLOW",
};

function checkArgs(sub: string | undefined, first: string | undefined, limit: string | undefined): number {
  if (sub === undefined || !(sub in ARGUMENT)) {
    throw new PoolError("INVALID_ARGUMENT", `${sub ? `unknown runs command "${sub}"; ` : ""}usage: ${USAGE}`);
  }
  if (limit !== undefined && !/^[1-9]\d*$/.test(limit)) {
    throw new PoolError("INVALID_ARGUMENT", `--limit "${limit}" is not a whole number >= 1`);
  }
  const what = ARGUMENT[sub];
  if (what === "WORKFLOW" && first === undefined) {
    throw new PoolError("INVALID_ARGUMENT", `runs dispatch takes a WORKFLOW\nusage: ${USAGE}`);
  }
  return what === "RUN" || what === "JOB" ? idOf(first, what) : 0;
}

/** Prints a job's log; with `follow` until the job ends. Exit 0, or 1 when the job did not succeed. */
async function logs(io: Io, api: ApiClient, jobId: number, follow: boolean): Promise<number> {
  const last = await api.logs(jobId, follow, (line) => {
    if ("text" in line) io.stdout(`${line.text}\n`);
  });
  if (!last || !("end" in last)) {
    io.stderr(`job ${jobId}: the log stream ended before the job did (did \`up\` stop?)\n`);
    return 1;
  }
  if (last.result !== undefined && last.result !== "success" && last.result !== "skipped") {
    io.stderr(`job ${jobId}: ${last.result}\n`);
    return 1;
  }
  return 0;
}

export async function runsCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseCommandArgs(
    rest,
    {
      config: { type: "string" },
      json: { type: "boolean", default: false },
      limit: { type: "string" },
      follow: { type: "boolean", short: "f", default: false },
      failed: { type: "boolean", default: false },
      repo: { type: "string" },
      ref: { type: "string" },
      input: { type: "string", multiple: true },
    },
    USAGE,
  );
  const [first] = positionals;
  const id = checkArgs(sub, first, values.limit);
  const follow = new AbortController();
  const onSignal = () => follow.abort();
  process.once("SIGINT", onSignal);
  try {
    const api = clientFor(io, values.config, follow.signal);
    const print = (value: unknown) => io.stdout(`${JSON.stringify(value, null, 2)}\n`);
    switch (sub) {
      case "list": {
        const { runs } = await api.get("GET runs", undefined, values.limit ? `?limit=${Number(values.limit)}` : "");
        if (values.json) print(runs);
        else printRunList(io, runs);
        return 0;
      }
      case "show": {
        const run = await api.get("GET runs/:id", id);
        if (values.json) print(run);
        else printRun(io, run);
        return 0;
      }
      case "logs":
        return await logs(io, api, id, values.follow === true);
      case "cancel": {
        const { cancelled } = await api.post("POST runs/:id/cancel", {}, id);
        io.stdout(cancelled ? `run ${id}: cancelled\n` : `run ${id}: nothing left to cancel\n`);
        return 0;
      }
      case "rerun": {
        const r = await api.post("POST runs/:id/rerun", { failed: values.failed === true }, id);
        io.stdout(`run ${id} re-run${values.failed ? " (failed jobs)" : ""} as run ${r.runId} (${r.workflow})\n`);
        return 0;
      }
      case "dispatch": {
        const r = await api.post("POST dispatch", {
          workflow: first ?? "",
          inputs: keyValues("input", values.input),
          ...(values.repo ? { repo: values.repo } : {}),
          ...(values.ref ? { ref: values.ref } : {}),
        });
        io.stdout(`run ${r.runId} started (${r.workflow})\n`);
        return 0;
      }
      default:
        throw new PoolError("INVALID_ARGUMENT", `usage: ${USAGE}`);
    }
  } catch (err) {
    // Ctrl-C during `logs --follow` is how one stops following.
    if (follow.signal.aborted) return 130;
    throw err;
  } finally {
    process.off("SIGINT", onSignal);
  }
}
