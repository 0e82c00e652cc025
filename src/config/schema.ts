import { z } from "zod";

/**
 * The one schema of runnerpool.toml. Every key has a default and a description; `config example`
 * and the README's reference are rendered from it. Issue D extends roles (instances, limits, policy).
 */

const labelName = z
  .string()
  .min(1)
  .regex(/^[^\s,]+$/, "labels have no spaces or commas");

export const backendNames = ["auto", "host", "sandbox", "docker", "podman"] as const;

export const forgeSchema = z
  .strictObject({
    url: z.string().url().optional().describe("Gitea/Forgejo root URL; leave out to run the embedded coordinator"),
    registration_token: z.string().min(1).optional().describe("registration token (prefer registration_token_file)"),
    registration_token_file: z.string().min(1).optional().describe("file holding the registration token"),
  })
  .refine((f) => !(f.registration_token && f.registration_token_file), {
    message: "set registration_token or registration_token_file, not both",
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
  capacity: z.number().int().min(1).max(256).default(1).describe("concurrent jobs per instance"),
  env: z.record(z.string(), z.string()).default({}).describe("extra environment for every job of this role"),
});

export const configSchema = z.strictObject({
  forge: forgeSchema.default({}),
  runner: runnerSchema.default(runnerSchema.parse({})),
  role: z.array(roleSchema).min(1).describe("the pool's roles ([[role]] tables)"),
});

export type PoolConfig = z.infer<typeof configSchema>;
export type RoleConfig = z.infer<typeof roleSchema>;
export type BackendName = (typeof backendNames)[number];
