import type { StepRunner } from "./step-runner.js";

/**
 * Actions the runner implements natively instead of fetching them (`actions/checkout` over native
 * git, artifact upload/download against the forge). A step whose `uses:` names a registered action
 * runs the registered StepRunner; every `@ref` and every host of a full-URL `uses:` maps to it.
 */
const registry = new Map<string, StepRunner>();

/**
 * The name a `uses:` value is registered under: `owner/repo` (or `owner/repo/sub/path`), lower-cased,
 * without `@ref` and without the scheme and host of a full URL. Undefined for local (`./`) and
 * `docker://` references.
 */
export function builtinActionKey(uses: string): string | undefined {
  let ref = uses.trim();
  if (ref.startsWith("./") || ref.startsWith("../") || ref.startsWith("docker://") || ref === "") return undefined;
  const at = ref.lastIndexOf("@");
  if (at > 0) ref = ref.slice(0, at);
  const url = /^[a-z][a-z0-9+.-]*:\/\/[^/]+\/(.*)$/i.exec(ref);
  if (url) ref = url[1] ?? "";
  ref = ref.replace(/\.git$/, "").replace(/\/+$/, "");
  return ref.split("/").length >= 2 ? ref.toLowerCase() : undefined;
}

/**
 * Registers a native implementation for `name` (`owner/repo`, case-insensitive; `@ref` ignored).
 * A later registration for the same name replaces the earlier one.
 */
export function registerBuiltinAction(name: string, runner: StepRunner): void {
  const key = builtinActionKey(name);
  if (key === undefined) throw new Error(`built-in action name '${name}' is not 'owner/repo'`);
  registry.set(key, runner);
}

/** The built-in runner for a `uses:` value, if one is registered. */
export function findBuiltinAction(uses: string): StepRunner | undefined {
  const key = builtinActionKey(uses);
  return key === undefined ? undefined : registry.get(key);
}

/** Names of the registered built-in actions (for diagnostics and docs). */
export function builtinActionNames(): string[] {
  return [...registry.keys()].sort();
}
