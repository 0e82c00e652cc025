import { setTimeout as delay } from "node:timers/promises";
import { errorMessage, PoolError } from "../../lib/index.js";
import { engineRun, envArguments } from "./container-engine.js";
import type { HealthCheck, JobContainerSpec } from "./job-container-spec.js";

/** How long a service may take to be running (its image is local, so this is generous). */
const START_TIMEOUT_MS = 60_000;

export interface ServiceHost {
  engine: "docker" | "podman";
  command: string;
  jobKey: string;
  /** The job's container, whose network namespace every service joins. */
  jobContainer: string;
  /** Limits and privileges the role gives every container of the job. */
  sharedArgs: string[];
}

async function waitRunning(host: ServiceHost, id: string, name: string, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (let wait = 50; ; wait = Math.min(wait * 2, 500)) {
    const state = (await engineRun(host.command, ["inspect", "--format={{.State.Status}}", name], signal)).trim();
    if (state === "running") return;
    if (state === "exited" || state === "dead" || Date.now() > deadline) {
      const logs = await engineRun(host.command, ["logs", "--tail=20", name], signal).catch(() => "");
      throw new PoolError(
        "BACKEND_UNAVAILABLE",
        `service '${id}' is ${state === "exited" || state === "dead" ? "not running (it exited)" : `still '${state}' after ${START_TIMEOUT_MS / 1000} s`}: check its image, cmd and env${logs.trim() === "" ? "" : `; its last output: ${logs.trim()}`}`,
      );
    }
    await delay(wait, undefined, { signal });
  }
}

/**
 * Waits until the service's health command succeeds. Docker calls a service unhealthy after `retries`
 * failed checks `interval` apart; the runner gives it that long but checks every second at most, so
 * a job starts as soon as its service is ready.
 */
async function waitHealthy(
  host: ServiceHost,
  id: string,
  name: string,
  health: HealthCheck,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + health.intervalMs * Math.max(health.retries, 1);
  let last = "";
  for (;;) {
    const check = AbortSignal.any([signal, AbortSignal.timeout(health.timeoutMs)]);
    try {
      await engineRun(host.command, ["exec", name, "/bin/sh", "-c", health.cmd], check);
      return;
    } catch (err) {
      if (signal.aborted) throw err;
      last = errorMessage(err);
    }
    if (Date.now() >= deadline) {
      throw new PoolError(
        "BACKEND_UNAVAILABLE",
        `service '${id}' is not healthy after ${health.retries} checks ${health.intervalMs / 1000} s apart: its --health-cmd "${health.cmd}" still fails (${last}); fix the service or its health options`,
      );
    }
    await delay(Math.min(health.intervalMs, 1000), undefined, { signal });
  }
}

/**
 * Starts each service in the job container's network namespace (there is no bridge network here),
 * so it listens on the job's 127.0.0.1 and its id resolves there through the job's /etc/hosts.
 * `ports:` needs no mapping for the same reason. Resolves once every service runs and passes its
 * `--health-cmd`, if it has one.
 */
export async function startServices(
  host: ServiceHost,
  services: Map<string, JobContainerSpec>,
  signal: AbortSignal,
): Promise<void> {
  for (const [id, spec] of services) {
    const name = `${host.jobContainer}-svc-${id}`.slice(0, 200);
    const { args: envArgs, cliEnv } = envArguments(spec.env);
    const args = [
      "run",
      "--detach",
      "--pull=never",
      `--name=${name}`,
      `--label=runnerpool.job=${host.jobKey}`,
      `--network=container:${host.jobContainer}`,
      ...host.sharedArgs,
      ...spec.volumes,
      ...envArgs,
      ...(spec.entrypoint === undefined ? [] : [`--entrypoint=${spec.entrypoint}`]),
      spec.image,
      ...spec.cmd,
    ];
    try {
      await engineRun(host.command, args, signal, cliEnv);
    } catch (err) {
      throw new PoolError(
        "BACKEND_UNAVAILABLE",
        `cannot start service '${id}' from image "${spec.image}": ${errorMessage(err)}`,
        {
          cause: err,
        },
      );
    }
    await waitRunning(host, id, name, signal);
    if (spec.health !== undefined) await waitHealthy(host, id, name, spec.health, signal);
  }
}

/**
 * Removes every container of the job: services and step containers first (podman refuses to remove
 * a container whose network namespace others still use), the job's own container last.
 */
export async function removeJobContainers(
  host: Pick<ServiceHost, "engine" | "command" | "jobKey" | "jobContainer">,
  signal: AbortSignal,
): Promise<string[]> {
  const problems: string[] = [];
  // Podman would wait 10 s for a PID 1 that ignores SIGTERM (busybox httpd does); docker's --force kills at once.
  const rm = ["rm", "--force", "--volumes", ...(host.engine === "podman" ? ["--time=0"] : [])];
  const listed = await engineRun(
    host.command,
    ["ps", "--all", "--filter", `label=runnerpool.job=${host.jobKey}`, "--format={{.Names}}"],
    signal,
  ).catch(() => "");
  const others = listed
    .split("\n")
    .map((l) => l.trim())
    .filter((n) => n !== "" && n !== host.jobContainer);
  for (const name of [...others, host.jobContainer]) {
    try {
      await engineRun(host.command, [...rm, name], signal);
    } catch (err) {
      const message = errorMessage(err);
      if (!/no such container|no container with name/i.test(message)) problems.push(`container ${name}: ${message}`);
    }
  }
  return problems;
}
