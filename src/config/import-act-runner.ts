import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { errorMessage, PoolError } from "../lib/index.js";
import { parseDuration } from "./units.js";

/** The parts of act_runner's config.yaml that say what a runner is; the rest is reported, not carried. */
const actConfigSchema = z
  .looseObject({
    runner: z
      .looseObject({
        capacity: z.number().int().min(1).optional(),
        envs: z.record(z.string(), z.unknown()).nullish(),
        labels: z.array(z.string()).nullish(),
        timeout: z.string().nullish(),
      })
      .nullish(),
    container: z
      .looseObject({
        privileged: z.boolean().nullish(),
        network: z.string().nullish(),
        valid_volumes: z.array(z.string()).nullish(),
        options: z.string().nullish(),
      })
      .nullish(),
    host: z.looseObject({ workdir_parent: z.string().nullish() }).nullish(),
  })
  .nullish();

const runnerFileSchema = z.looseObject({
  name: z.string().optional(),
  address: z.string().optional(),
  labels: z.array(z.string()).optional(),
});

export interface ActRunnerImport {
  /** A runnerpool.toml that `config validate` accepts. */
  toml: string;
  /** What the operator should change or check, one sentence each. */
  changes: string[];
}

interface ImportedRole {
  name: string;
  labels: string[];
  backend: "host" | "docker";
  image?: string;
}

/** act_runner's label forms: `name`, `name:host`, `name:docker://image`. */
function splitLabel(label: string): { name: string; mode: "host" | "docker"; image?: string } {
  const i = label.indexOf(":");
  if (i < 0) return { name: label, mode: "host" };
  const name = label.slice(0, i);
  const rest = label.slice(i + 1);
  if (rest === "host") return { name, mode: "host" };
  if (rest.startsWith("docker://")) return { name, mode: "docker", image: rest.slice("docker://".length) };
  return { name: label.replaceAll(":", "-"), mode: "host" };
}

const GENERIC = new Set(["self-hosted", "ubuntu-latest", "ubuntu-22.04", "ubuntu-24.04", "ubuntu-20.04"]);

function roleName(labels: string[], taken: Set<string>, fallback: string): string {
  const base =
    (labels.find((l) => !GENERIC.has(l)) ?? fallback)
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "") || fallback;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}

function q(s: string): string {
  return JSON.stringify(s);
}

type ActConfig = NonNullable<z.infer<typeof actConfigSchema>>;
type RunnerFile = z.infer<typeof runnerFileSchema>;

/**
 * Turns an act_runner setup (config.yaml, and the `.runner` file it registered) into roles: labels
 * and mode carry over (`name:host` -> backend host, `name:docker://img` -> backend docker + image),
 * and every setting that does not carry over, or should change on a pool, becomes a note.
 */
export function importActRunner(configYaml: string, runnerFileJson?: string): ActRunnerImport {
  const { cfg, runnerFile } = readActSetup(configYaml, runnerFileJson);
  const changes: string[] = [];
  const configLabels = cfg.runner?.labels ?? [];
  const labels = configLabels.length > 0 ? configLabels : (runnerFile.labels ?? []);
  if (configLabels.length > 0 && runnerFile.labels && runnerFile.labels.join(",") !== configLabels.join(",")) {
    changes.push("config.yaml runner.labels differ from the .runner file's; the config's win, as in act_runner");
  }
  if (labels.length === 0) {
    labels.push("self-hosted:host", "linux:host");
    changes.push('no labels found: assumed act_runner\'s host default ["self-hosted", "linux"]; check them');
  }
  const roles = importedRoles(labels);
  changes.push(...roleNotes(roles), ...settingNotes(cfg, runnerFile));
  return { toml: importedToml(cfg, runnerFile, roles), changes };
}

function readActSetup(
  configYaml: string,
  runnerFileJson: string | undefined,
): { cfg: ActConfig; runnerFile: RunnerFile } {
  let raw: unknown;
  try {
    raw = parseYaml(configYaml);
  } catch (err) {
    throw new PoolError("CONFIG_INVALID", `act_runner config is not YAML: ${errorMessage(err)}`);
  }
  const parsed = actConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new PoolError(
      "CONFIG_INVALID",
      `act_runner config: ${first?.path.join(".") || "(top level)"}: ${first?.message ?? "invalid"}`,
    );
  }
  let runnerFile: RunnerFile = {};
  if (runnerFileJson !== undefined) {
    try {
      runnerFile = runnerFileSchema.parse(JSON.parse(runnerFileJson));
    } catch (err) {
      throw new PoolError("CONFIG_INVALID", `.runner file is not act_runner's JSON: ${errorMessage(err)}`);
    }
  }
  return { cfg: parsed.data ?? {}, runnerFile };
}

/** One role per mode and image: the labels of a host runner stay together, each image gets its own. */
function importedRoles(labels: string[]): ImportedRole[] {
  const groups = new Map<string, { backend: "host" | "docker"; image?: string; labels: string[] }>();
  for (const label of labels) {
    const l = splitLabel(label);
    const key = l.mode === "host" ? "host" : `docker ${l.image}`;
    const g = groups.get(key) ?? { backend: l.mode, image: l.image, labels: [] };
    if (!g.labels.includes(l.name)) g.labels.push(l.name);
    groups.set(key, g);
  }
  const taken = new Set<string>();
  return [...groups.values()].map((g) => ({
    name: roleName(g.labels, taken, g.backend === "host" ? "host" : "container"),
    labels: g.labels,
    backend: g.backend,
    ...(g.image ? { image: g.image } : {}),
  }));
}

function roleNotes(roles: ImportedRole[]): string[] {
  const changes: string[] = [];
  for (const role of roles) {
    if (role.labels.some((l) => l.startsWith("ubuntu-"))) {
      changes.push(
        `role "${role.name}": label "${role.labels.find((l) => l.startsWith("ubuntu-"))}" is a GitHub-hosted name; route jobs by capability ([self-hosted, linux]) and rewrite runs-on with \`runnerpool migrate rewrite\``,
      );
    }
    if (role.backend === "host") {
      changes.push(
        `role "${role.name}": host mode carried over; jobs share this machine's state, so prefer backend = "sandbox" (or "docker") unless they need the host`,
      );
    } else {
      changes.push(
        `role "${role.name}": image "${role.image}" must exist locally (no registry is reached): build it from runner-images/ or set image to a local one`,
      );
    }
  }
  return changes;
}

/** act_runner settings that do not carry over or change meaning, and what to do with the old runner. */
function settingNotes(cfg: ActConfig, runnerFile: RunnerFile): string[] {
  const changes: string[] = [];
  if (cfg.container?.privileged === true) {
    changes.push(
      "container.privileged was on for every job: it is now per role; only a role with privileged = true and allowed_refs may run privileged work, so split such jobs out (see the iso role of examples/koder-pool.toml)",
    );
  }
  if (cfg.container?.valid_volumes?.length) {
    changes.push(
      `container.valid_volumes (${cfg.container.valid_volumes.join(", ")}) are not carried over: give a role secrets_dir for credentials, and bake tools into its image`,
    );
  }
  if (cfg.container?.options) changes.push(`container.options "${cfg.container.options}" are not carried over`);
  if (cfg.container?.network) {
    changes.push(
      `container.network "${cfg.container.network}" is not carried over: container jobs run without a network by default`,
    );
  }
  if (cfg.host?.workdir_parent)
    changes.push(`host.workdir_parent "${cfg.host.workdir_parent}" became runner.workdir_parent`);
  const timeout = cfg.runner?.timeout ? parseDuration(cfg.runner.timeout) : undefined;
  if (cfg.runner?.timeout && timeout !== 3 * 3_600_000) {
    changes.push(
      `runner.timeout "${cfg.runner.timeout}" is not carried over: jobs set timeout-minutes themselves (default 6 h)`,
    );
  }
  if (runnerFile.address) {
    changes.push(
      `forge url "${runnerFile.address}" taken from the .runner file: write its registration token to the file named by forge.registration_token_file (mode 0600); the old runner's own token is not copied`,
    );
  } else {
    changes.push(
      "no .runner file given: [forge] url is left out, so `up` runs the embedded coordinator; set it to join your Gitea",
    );
  }
  if (runnerFile.name) {
    changes.push(
      `once the pool serves every workflow (\`runnerpool pool coverage REPO_DIR\`), retire the old runner: \`runnerpool pool decommission ${runnerFile.name}\``,
    );
  }
  return changes;
}

function importedToml(cfg: ActConfig, runnerFile: RunnerFile, roles: ImportedRole[]): string {
  const capacity = cfg.runner?.capacity ?? 1;
  const envs = Object.entries(cfg.runner?.envs ?? {}).map(([k, v]) => [k, String(v)] as const);
  const out: string[] = ["# runnerpool.toml imported from act_runner by `runnerpool config import-act-runner`", ""];
  out.push("[forge]");
  if (runnerFile.address) {
    out.push(`url = ${q(runnerFile.address)}`);
    out.push('registration_token_file = "/etc/runnerpool/registration-token"');
  } else {
    out.push('# url = "https://flow.example.org"');
  }
  out.push("");
  if (cfg.host?.workdir_parent) {
    out.push("[runner]", `workdir_parent = ${q(cfg.host.workdir_parent)}`, "");
  }
  for (const role of roles) {
    out.push("[[role]]");
    out.push(`name = ${q(role.name)}`);
    out.push(`labels = [${role.labels.map(q).join(", ")}]`);
    out.push(`backend = ${q(role.backend)}`);
    if (role.image) out.push(`image = ${q(role.image)}`);
    out.push(`capacity = ${capacity}`);
    if (envs.length > 0) out.push(`env = { ${envs.map(([k, v]) => `${q(k)} = ${q(v)}`).join(", ")} }`);
    out.push("");
  }
  return out.join("\n");
}
