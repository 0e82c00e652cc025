import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import type { PoolConfig } from "../../config/index.js";
import type { Coordinator, GitHostingPort, RouteHandler } from "../../coordinator/index.js";
import { type Logger, PoolError } from "../../lib/index.js";
import type { RunbookForge } from "../../pool/index.js";
import type { Registration } from "../../runner/index.js";
import { deleteForgeRunner } from "../forge-admin.js";
import { readTokenFile } from "../secret-input.js";
import { openCoordinator, queuedFor, runningOn, serveCoordinator } from "./coordinator.js";

/** The forge side of `up`: the embedded coordinator, or the Gitea/Forgejo of `[forge] url`. */
export interface Forge extends RunbookForge {
  /** The embedded coordinator; undefined against an external forge. */
  readonly coordinator: Coordinator | undefined;
  /** The current registration token (`pool rotate-token` replaces it). */
  registrationToken(): string;
  /** Jobs waiting that a runner with these labels could take; only the embedded coordinator can say. */
  readonly queued?: (labels: string[]) => number;
  /** Removes an instance's registration from the forge, when the forge allows it. */
  readonly unregister?: (registration: Registration) => Promise<void> | void;
  /** Jobs running on a runner, for container instances; only the embedded coordinator can say. */
  readonly activity?: (runner: string) => number;
  /** Starts serving (the forge itself when embedded) with the admin API; returns the admin API's URL. */
  serve(listen: string, admin: { handler: RouteHandler; token: string }): Promise<string>;
  close(): Promise<void>;
}

export interface ForgePlace {
  /** `runner.state_dir`, resolved. */
  stateDir: string;
  /** Relative secret files in the config are resolved against it. */
  cwd: string;
  logger: Logger;
  signal: AbortSignal;
  /** The exclusive labels of the pool's guarded roles, asked on every pick (see `openCoordinator`). */
  guardedLabels: () => readonly string[];
}

/** The forge the config names, or the embedded one when `[forge] url` is not set. */
export function openForge(config: PoolConfig, place: ForgePlace): Forge {
  return config.forge.url ? externalForge(config, config.forge.url, place) : embeddedForge(config, place);
}

function embeddedForge(config: PoolConfig, { stateDir, logger, guardedLabels }: ForgePlace): Forge {
  // Unserved jobs wait on `up` (the pool may grow or a reload add the role); `up` says why in its log.
  const embedded = openCoordinator(stateDir, 0, logger, guardedLabels, config);
  const { coordinator } = embedded;
  let token = coordinator.runners.registrationToken();
  writeRegistrationToken(stateDir, token);
  pushTokenReady(stateDir, coordinator.git);
  let url = "";
  let close = async (): Promise<void> => coordinator.close();
  return {
    coordinator,
    embedded: true,
    url: () => url,
    registrationToken: () => token,
    queue: () => coordinator.read.queueByLabels(),
    queued: queuedFor(coordinator, guardedLabels),
    unregister: (reg) => {
      coordinator.runners.delete(reg.id);
    },
    activity: (runner) => runningOn(coordinator, runner),
    rotateToken: () => {
      token = coordinator.runners.createRegistrationToken();
      writeRegistrationToken(stateDir, token);
      return `embedded coordinator; the new token is in ${join(stateDir, "registration-token")}`;
    },
    removeRunner: async (runner) => {
      const found = coordinator.runners.list().find((r) => r.name === runner || String(r.id) === runner);
      if (!found) {
        throw new PoolError("NOT_FOUND", `no runner "${runner}" on the coordinator: see \`runnerpool pool status\``);
      }
      coordinator.runners.delete(found.id);
      return { name: found.name, id: found.id };
    },
    serve: async (listen, admin) => {
      const { host, port } = parseListen(listen);
      const server = await serveCoordinator(embedded, {
        host,
        port,
        handlers: [admin.handler],
        artifactReadToken: admin.token,
        logger,
      });
      url = server.url;
      close = async () => {
        await server.close();
        coordinator.close();
      };
      return `http://127.0.0.1:${new URL(server.url).port}`;
    },
    close: () => close(),
  };
}

function externalForge(config: PoolConfig, url: string, { cwd, signal }: ForgePlace): Forge {
  let token = readToken(config, cwd);
  const adminFile = config.forge.admin_token_file ? resolve(cwd, config.forge.admin_token_file) : undefined;
  const remove = async (runner: string, abort: AbortSignal): Promise<number> => {
    if (!adminFile) {
      throw new PoolError(
        "CONFIG_INVALID",
        `cannot remove "${runner}" from ${url}: set forge.admin_token_file to a Gitea admin token, or delete it in the forge's admin UI`,
      );
    }
    return deleteForgeRunner(url, readTokenFile(adminFile, "forge.admin_token_file"), runner, abort);
  };
  let close = async (): Promise<void> => undefined;
  return {
    coordinator: undefined,
    embedded: false,
    url: () => url,
    registrationToken: () => token,
    ...(adminFile
      ? {
          unregister: async (reg: Registration) => {
            await remove(String(reg.id), signal);
          },
        }
      : {}),
    rotateToken: () => {
      token = readToken(config, cwd);
      return "re-read forge.registration_token_file";
    },
    removeRunner: async (runner, abort) => ({ name: runner, id: await remove(runner, abort) }),
    serve: async (listen, admin) => {
      // Only the pool's APIs and metrics are served here (on --listen, where Prometheus expects them):
      // runners talk to the external forge.
      const server = createServer((req, res) => {
        if (!admin.handler(req, res)) res.writeHead(404).end();
      });
      const { host, port } = parseListen(listen);
      await new Promise<void>((r, reject) => {
        server.once("error", reject);
        server.listen(port, host, r);
      });
      close = () =>
        new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections();
        });
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: () => close(),
  };
}

function parseListen(listen: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m) throw new PoolError("INVALID_ARGUMENT", `--listen "${listen}" is not HOST:PORT, e.g. 127.0.0.1:3930`);
  return { host: m[1] || "127.0.0.1", port: Number(m[2]) };
}

function readToken(config: PoolConfig, cwd: string): string {
  if (config.forge.registration_token) return config.forge.registration_token;
  if (config.forge.registration_token_file) {
    return readTokenFile(resolve(cwd, config.forge.registration_token_file), "forge.registration_token_file");
  }
  throw new PoolError(
    "CONFIG_INVALID",
    "forge.url is set but no registration token: set forge.registration_token_file (a file with mode 0600)",
  );
}

/** Where an operator finds the embedded coordinator's token to register a runner elsewhere (mode 0600). */
function writeRegistrationToken(stateDir: string, token: string): void {
  writeFileSync(join(stateDir, "registration-token"), `${token}\n`, { mode: 0o600 });
}

/**
 * The push token `git push` presents (mode 0600): kept across restarts while the coordinator still
 * accepts it, else replaced (the coordinator stores only its hash).
 */
function pushTokenReady(stateDir: string, git: GitHostingPort): void {
  const file = join(stateDir, "push-token");
  if (existsSync(file) && git.verifyPushToken(readFileSync(file, "utf8").trim())) return;
  writeFileSync(file, `${git.createPushToken()}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}
