import { dirname, resolve } from "node:path";
import { defaultConfig, loadConfig } from "./load.js";
import { locateConfig } from "./locate.js";
import type { PoolConfig } from "./schema.js";

/**
 * Every path a config names (`state_dir`, `workdir_parent`, the token files, `secrets_dir`,
 * `registry_auth_file`), made absolute against `baseDir`: the config file's directory, so a command
 * finds the same directories from wherever it runs; the current directory only for the built-in
 * default pool.
 */
export function withAbsolutePaths(config: PoolConfig, baseDir: string): PoolConfig {
  const abs = (p: string) => resolve(baseDir, p);
  const { forge, runner } = config;
  return {
    ...config,
    forge: {
      ...forge,
      ...(forge.registration_token_file === undefined
        ? {}
        : { registration_token_file: abs(forge.registration_token_file) }),
      ...(forge.admin_token_file === undefined ? {} : { admin_token_file: abs(forge.admin_token_file) }),
    },
    runner: { ...runner, state_dir: abs(runner.state_dir), workdir_parent: abs(runner.workdir_parent) },
    role: config.role.map((r) => ({
      ...r,
      ...(r.secrets_dir === undefined ? {} : { secrets_dir: abs(r.secrets_dir) }),
      ...(r.registry_auth_file === undefined ? {} : { registry_auth_file: abs(r.registry_auth_file) }),
    })),
  };
}

/** The config a command runs with, where it came from, and the directory its paths are relative to. */
export interface OpenedConfig {
  config: PoolConfig;
  /** The file read; undefined when none was given or found and the default pool is used. */
  file: string | undefined;
  baseDir: string;
}

/**
 * The config a command uses: `given` (relative to `cwd`), else the first `runnerpool.toml` in
 * `dirs`, loaded with absolute paths; without either, the default pool with paths relative to `cwd`.
 */
export function openConfig(options: {
  given: string | undefined;
  dirs: readonly string[];
  cwd: string;
  sandboxAvailable: boolean;
}): OpenedConfig {
  const { cwd } = options;
  const file = locateConfig(options.given === undefined ? undefined : resolve(cwd, options.given), options.dirs);
  if (file === undefined)
    return { config: withAbsolutePaths(defaultConfig(options.sandboxAvailable), cwd), file, baseDir: cwd };
  const baseDir = dirname(file);
  return { config: withAbsolutePaths(loadConfig(file), baseDir), file, baseDir };
}
