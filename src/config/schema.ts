import { z } from "zod";
import { duration, size } from "./units.js";

/**
 * The one schema of runnerpool.toml. Every key has a default or is optional, and has a description;
 * `config example` is rendered from it. Durations ("10m") and sizes ("2GB") are strings in the
 * file and numbers (ms, bytes) after parsing.
 */

const labelName = z
  .string()
  .min(1)
  .regex(/^[^\s,:]+$/, "labels have no spaces, commas or colons (the backend says how jobs run, not the label)");

/** `allowed_refs = "any"`: the explicit choice that a role with secrets runs jobs of every ref. */
export const ANY_REF = "any";

export const backendNames = ["auto", "host", "sandbox", "docker", "podman"] as const;

/**
 * Syntax of an `allowed_refs` pattern only; matching uses the workflow filter globs (`*`, `**`,
 * `?`, `[a-z]`) in the runner. A pattern must name a full ref so "main" cannot silently match nothing.
 */
const refPattern = z
  .string()
  .regex(/^!?refs\/\S+$/, 'a ref pattern starts with "refs/" (e.g. "refs/heads/main", "refs/tags/v*")')
  .refine((p) => balancedBrackets(p), { message: "unbalanced [ ] in the pattern" })
  .refine((p) => !/(^|[^\\])\\$/.test(p), { message: 'a pattern cannot end with "\\"' });

function balancedBrackets(p: string): boolean {
  let open = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === "\\") i++;
    else if (c === "[") {
      if (open) return false;
      open = true;
    } else if (c === "]") {
      if (!open) return false;
      open = false;
    }
  }
  return !open;
}

export const forgeSchema = z
  .strictObject({
    url: z.url().optional().describe("Gitea/Forgejo root URL; leave out to run the embedded coordinator"),
    registration_token: z.string().min(1).optional().describe("registration token (prefer registration_token_file)"),
    registration_token_file: z.string().min(1).optional().describe("file holding the registration token"),
    admin_token_file: z
      .string()
      .min(1)
      .optional()
      .describe("file holding a forge admin API token, for pool decommission/rotate-token against Gitea"),
  })
  .refine((f) => !(f.registration_token && f.registration_token_file), {
    message: "set registration_token or registration_token_file, not both",
  });

/** Checkout settings, passed through to the executor (issue C implements them). */
export const gitSchema = z.strictObject({
  depth: z.number().int().min(0).default(1).describe("fetch depth of checkouts; 0 = full history"),
  filter: z.string().min(1).optional().describe('partial clone filter, e.g. "blob:none"'),
  submodules: z
    .union([z.boolean(), z.literal("recursive")])
    .default(false)
    .describe('check out submodules: false, true or "recursive"'),
  mirror_cache: z.boolean().default(true).describe("keep a bare mirror per host; jobs clone with --reference"),
  rewrite: z
    .record(z.string(), z.string())
    .default({})
    .describe("public URL prefix -> internal URL prefix (url.<internal>.insteadOf <public>)"),
  host_header: z.string().min(1).optional().describe("Host header sent with rewritten URLs"),
});

export const runnerSchema = z.strictObject({
  workdir_parent: z.string().default(".runnerpool/work").describe("parent directory of per-job workspaces"),
  state_dir: z.string().default(".runnerpool").describe("where .runner files, the database and logs live"),
  fetch_wait: z
    .number()
    .int()
    .min(0)
    .max(30_000)
    .default(25_000)
    .describe("ms a runner asks the embedded coordinator to hold FetchTask open (0 = poll like act_runner)"),
  fetch_interval: z.number().int().min(100).default(2_000).describe("ms between polls when fetch_wait is 0"),
  lease: duration(
    "a running job whose runner sent nothing for this long is lost (runnerpool runners report every second)",
  ).prefault("30s"),
  shutdown_timeout: duration(
    "how long the first Ctrl-C / SIGTERM lets running jobs finish before they are cancelled",
  ).prefault("10m"),
  min_free: size(
    'disk-space floor on workdir_parent, e.g. "5GB": below it runners take no jobs until space returns',
  ).optional(),
});

export const instancesSchema = z
  .strictObject({
    min: z.number().int().min(0).max(64).default(1).describe("idle instances kept warm"),
    max: z.number().int().min(1).max(64).default(1).describe("instances at most, busy or idle"),
  })
  .refine((i) => i.min <= i.max, { message: "instances.min is larger than instances.max" });

export const limitsSchema = z.strictObject({
  cpu: z.number().positive().max(1024).optional().describe("CPUs a job may use, e.g. 2 or 0.5"),
  memory: size('memory a job may use, e.g. "2GB"').optional(),
  pids: z.number().int().min(16).optional().describe("processes a job may have at once"),
});

export const roleSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, "role names are lower-case letters, digits and dashes")
    .describe("role name, e.g. linux"),
  labels: z.array(labelName).min(1).describe("labels jobs select this role by (runs-on must be a subset)"),
  backend: z
    .enum(backendNames)
    .default("auto")
    .describe(
      "where job steps run: host, sandbox (bubblewrap), docker, podman; auto = sandbox where bubblewrap is installed, else host",
    ),
  image: z
    .string()
    .min(1)
    .optional()
    .describe("container image of jobs (docker, podman backends) or of instances (docker, podman providers)"),
  pull: z
    .enum(["always", "missing", "never"])
    .default("never")
    .describe(
      "when the image is pulled (docker, podman): missing = when not on this host, always = before each job or instance, never = local images only",
    ),
  registry_auth_file: z
    .string()
    .min(1)
    .optional()
    .describe(
      'registry credentials for pulls: a containers auth file, {"auths": {"host:port": {"auth": "base64(user:pass)"}}}',
    ),
  provider: z
    .enum(["local", "docker", "podman"])
    .default("local")
    .describe("where instances run: local (this process) or docker/podman (a container per instance)"),
  instances: instancesSchema.default({ min: 1, max: 1 }).describe("registered runners of this role"),
  capacity: z.number().int().min(1).max(256).default(1).describe("concurrent jobs per instance"),
  idle_timeout: duration("an idle instance above instances.min is drained and unregistered after this").prefault("10m"),
  limits: limitsSchema.default({}).describe("per-job resource limits (cgroups)"),
  env: z.record(z.string(), z.string()).default({}).describe("extra environment for every job of this role"),
  privileged: z
    .boolean()
    .default(false)
    .describe("runs only refs in allowed_refs, and only jobs whose runs-on names one of its exclusive labels"),
  allowed_refs: z
    .union([z.literal(ANY_REF), z.array(refPattern)])
    .default([])
    .describe(
      'github.ref patterns this role runs (e.g. "refs/tags/v*"), others are refused; "any" (a string, not a list) lets a role with secrets_dir run every ref',
    ),
  secrets_dir: z
    .string()
    .min(1)
    .optional()
    .describe(
      "directory mounted read-only into this role's jobs at $RUNNERPOOL_SECRETS_DIR; the role then takes only jobs that name one of its exclusive labels, and needs allowed_refs",
    ),
  lease: duration("this role's lease, instead of [runner] lease").optional(),
  retry_on_loss: z
    .number()
    .int()
    .min(0)
    .max(5)
    .optional()
    .describe("new attempts of a job whose runner was lost; default 1, 0 for privileged and secrets_dir roles"),
});

export const configSchema = z.strictObject({
  forge: forgeSchema.default({}),
  git: gitSchema.default(gitSchema.parse({})),
  runner: runnerSchema.default(runnerSchema.parse({})),
  role: z.array(roleSchema).min(1).describe("the pool's roles ([[role]] tables)"),
});

export type PoolConfig = z.infer<typeof configSchema>;
export type RoleConfig = z.infer<typeof roleSchema>;
export type GitConfig = z.infer<typeof gitSchema>;
export type BackendName = (typeof backendNames)[number];
