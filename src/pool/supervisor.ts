import { EventEmitter } from "node:events";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { errorMessage, type Logger, PoolError, silentLogger } from "../lib/index.js";
import type { Registration } from "../runner/index.js";
import { describeInstance, type Instance, type InstanceStatus, runningJobs } from "./instance.js";
import type { InstanceProvider, InstanceProviders } from "./instance-provider.js";
import { instanceRegistration } from "./instance-registration.js";
import { type InstanceState, isLive, moveInstance } from "./instance-state.js";
import { instanceBounds, type PoolRole, roleIdentity } from "./role.js";
import { type RoleBook, type RoleStatus, roleStatus } from "./role-status.js";
import { expiredIdle, instancesToStart } from "./scaling.js";

export interface SupervisorOptions {
  forgeUrl: string;
  /** Read on every registration, so a rotated token is used from then on. */
  registrationToken: () => string;
  roles: PoolRole[];
  /** One `<instance>.runner` file per instance. */
  stateDir: string;
  /** Sent when registering an instance. */
  version: string;
  /**
   * Jobs waiting that a runner with these labels could take; undefined when the forge cannot say
   * (then a role grows while it has no free slot).
   */
  queued?: (labels: string[]) => number | undefined;
  /** Removes a registration from the forge (the runner protocol has no call for it). */
  unregister?: (registration: Registration) => Promise<void> | void;
  /** Where instances run, by the name a role gives (`role.provider`, default `local`); built by the root. */
  providers: InstanceProviders;
  /** Reconcile period; default 1000 ms. */
  tickMs?: number;
  /** Replacement backoff after a crash: base doubled per crash in a row, up to max. */
  backoffMs?: { base: number; max: number };
  logger?: Logger;
  signal: AbortSignal;
}

export interface SupervisorEvents {
  instance: [InstanceStatus];
}

interface RoleState extends RoleBook {
  role: PoolRole;
  /** Crashes in a row, for the replacement backoff. */
  failures: number;
  nextStartAt: number;
  /** Extra instances asked for by `pool add`, started on the next reconcile. */
  extra: number;
}

/** A crash after this long of healthy life starts the backoff over. */
const HEALTHY_MS = 30_000;

/**
 * Keeps each role at its desired size: `min` idle instances warm, more (up to `max`) while jobs
 * for the role wait, idle ones above `min` drained and unregistered after the idle timeout, and a
 * crashed instance replaced with backoff. Every instance is its own registration.
 */
export class Supervisor {
  readonly events = new EventEmitter<SupervisorEvents>();
  private readonly options: SupervisorOptions;
  private readonly logger: Logger;
  private readonly roles = new Map<string, RoleState>();
  private readonly instances = new Map<string, Instance>();
  private readonly pending = new Set<Promise<unknown>>();
  /** Aborted when the supervisor halts: registrations in flight give up. */
  private readonly halting = new AbortController();
  /** Aborted by stop(): runners cancel their jobs. */
  private readonly killing = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(options: SupervisorOptions) {
    this.options = options;
    this.logger = options.logger ?? silentLogger;
    for (const role of options.roles) this.roles.set(role.name, this.freshRole(role));
    mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
    options.signal.addEventListener("abort", () => void this.stop(), { once: true });
  }

  /** Starts reconciling; resolves once every role's first instances have started (or failed). */
  async start(): Promise<void> {
    this.reconcile();
    await this.settled();
    this.timer = setInterval(() => this.reconcile(), this.options.tickMs ?? 1000);
    this.timer.unref();
  }

  /** Resolves when no registration or drain the supervisor started is still in flight. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** The roles the pool runs now, as the last update gave them. */
  currentRoles(): PoolRole[] {
    return [...this.roles.values()].map((rs) => rs.role);
  }

  roleOfRunner(name: string): string | undefined {
    return this.instances.get(name)?.role.name;
  }

  status(): RoleStatus[] {
    return [...this.roles.values()].map((rs) =>
      roleStatus(
        rs.role,
        rs,
        [...this.instances.values()].filter((i) => i.role.name === rs.role.name),
        this.options.queued?.(rs.role.labels),
      ),
    );
  }

  /** Starts one more instance of the role now (up to its max) and lifts a drain of the role. */
  add(roleName: string): void {
    const rs = this.roleState(roleName);
    const { max } = instanceBounds(rs.role);
    if (this.live(rs.role.name).length + rs.extra >= max) {
      throw new PoolError(
        "INVALID_ARGUMENT",
        `role "${roleName}" already has its maximum of ${max} instances: raise instances.max in the config`,
      );
    }
    rs.paused = false;
    rs.extra++;
    this.reconcile();
  }

  /**
   * Drains an instance (by name) or every instance of a role: no new jobs, running ones finish,
   * then the registration is removed. A drained role stays empty until `add` or a config change.
   */
  async drain(target: string): Promise<string[]> {
    const rs = this.roles.get(target);
    const chosen = rs
      ? [...this.instances.values()].filter((i) => i.role.name === target && isLive(i.state))
      : [this.instances.get(target)].filter((i): i is Instance => i !== undefined && isLive(i.state));
    if (!rs && chosen.length === 0) {
      throw new PoolError("NOT_FOUND", `no role or live instance "${target}": see \`runnerpool pool status\``);
    }
    if (rs) {
      rs.paused = true;
      rs.extra = 0;
    }
    await Promise.all(chosen.map((i) => this.retire(i)));
    return chosen.map((i) => i.name);
  }

  /**
   * Applies a new set of roles: new roles start, removed ones drain, a role whose labels, backend,
   * image, capacity or policy changed has its instances replaced; sizes apply at once.
   */
  update(roles: PoolRole[]): void {
    const next = new Map(roles.map((r) => [r.name, r]));
    for (const [name, rs] of this.roles) {
      const role = next.get(name);
      if (!role) {
        this.roles.delete(name);
        for (const i of this.instances.values()) if (i.role.name === name && isLive(i.state)) void this.retire(i);
        continue;
      }
      if (roleIdentity(role) !== roleIdentity(rs.role)) {
        for (const i of this.instances.values()) if (i.role.name === name && isLive(i.state)) void this.retire(i);
      }
      rs.role = role;
    }
    for (const role of roles) if (!this.roles.has(role.name)) this.roles.set(role.name, this.freshRole(role));
    this.reconcile();
  }

  /** Drains every instance (running jobs finish) and stops reconciling. Registrations are kept for a restart. */
  async drainAll(): Promise<void> {
    this.halt();
    await Promise.all([...this.instances.values()].map((i) => i.handle?.drain()));
    await this.settled();
  }

  /** Stops now, cancelling running jobs. */
  async stop(): Promise<void> {
    this.halt();
    this.killing.abort();
    await Promise.all([...this.instances.values()].map((i) => i.handle?.stop()));
    await this.settled();
  }

  /** One reconcile pass; also run on every task start and finish. */
  reconcile(): void {
    if (this.stopped) return;
    const now = Date.now();
    for (const i of this.instances.values()) this.refresh(i);
    for (const rs of this.roles.values()) {
      const mine = [...this.instances.values()].filter((i) => i.role.name === rs.role.name);
      const live = mine.filter((i) => isLive(i.state));
      const idle = live.filter((i) => runningJobs(i) === 0);
      // A drained role does not grow, so its queue is not asked for.
      const want = instancesToStart(rs.role, {
        live: live.length,
        occupied: mine.filter((i) => isLive(i.state) || i.state === "draining").length,
        idle: idle.length,
        free: live.reduce((n, i) => n + rs.role.capacity - runningJobs(i), 0),
        queued: rs.paused ? undefined : this.options.queued?.(rs.role.labels),
        extra: rs.extra,
        paused: rs.paused,
      });
      if (want > 0 && now >= rs.nextStartAt) {
        rs.extra = Math.max(0, rs.extra - want);
        for (let k = 0; k < want; k++) this.launch(rs);
      }
      for (const i of expiredIdle(rs.role, idle, now)) {
        this.logger.info({ instance: i.name }, "idle past idle_timeout; draining");
        void this.retire(i);
      }
    }
  }

  private providerFor(role: PoolRole): InstanceProvider {
    const name = role.provider ?? "local";
    const provider = this.options.providers[name];
    if (!provider)
      throw new PoolError("CONFIG_INVALID", `role "${role.name}": provider "${name}" is not available here`);
    return provider;
  }

  private freshRole(role: PoolRole): RoleState {
    return { role, paused: false, failures: 0, nextStartAt: 0, restarts: 0, extra: 0 };
  }

  private roleState(name: string): RoleState {
    const rs = this.roles.get(name);
    if (!rs) {
      throw new PoolError(
        "NOT_FOUND",
        `no role "${name}" in this pool: roles are ${[...this.roles.keys()].join(", ") || "(none)"}`,
      );
    }
    return rs;
  }

  private live(roleName: string): Instance[] {
    return [...this.instances.values()].filter((i) => i.role.name === roleName && isLive(i.state));
  }

  private move(i: Instance, to: InstanceState): void {
    i.state = moveInstance(i.state, to);
    i.since = Date.now();
    if (to === "idle") i.idleSince = i.since;
    if (to === "removed" || to === "crashed") this.instances.delete(i.name);
    try {
      this.events.emit("instance", describeInstance(i));
    } catch (err) {
      this.logger.error({ err }, "supervisor event listener threw");
    }
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => undefined);
    return p;
  }

  private nextName(role: string): string {
    for (let n = 1; ; n++) {
      const name = `${role}-${n}`;
      if (!this.instances.has(name)) return name;
    }
  }

  private launch(rs: RoleState): void {
    const name = this.nextName(rs.role.name);
    const now = Date.now();
    const i: Instance = { name, role: rs.role, state: "registering", since: now, idleSince: now, retiring: false };
    this.instances.set(name, i);
    this.track(this.bringUp(i, rs));
  }

  private async bringUp(i: Instance, rs: RoleState): Promise<void> {
    const signal = this.killing.signal;
    try {
      i.registration = await this.registration(i);
      if (this.stopped) {
        this.move(i, "removed");
        return;
      }
      this.move(i, "starting");
      const file = join(this.options.stateDir, `${i.name}.runner`);
      const handle = await this.providerFor(i.role).start(
        { name: i.name, role: i.role, registration: i.registration, file },
        signal,
      );
      i.handle = handle;
      const sync = () => this.sync();
      handle.on("task-started", sync);
      handle.on("task-finished", sync);
      handle.done.then(
        () => this.ended(i, rs),
        (err: unknown) => this.ended(i, rs, err),
      );
      if (i.state === "starting") this.move(i, "idle");
    } catch (err) {
      this.crashed(i, rs, err);
    }
  }

  private registration(i: Instance): Promise<Registration> {
    return instanceRegistration({
      forgeUrl: this.options.forgeUrl,
      token: this.options.registrationToken,
      name: i.name,
      labels: i.role.labels,
      version: this.options.version,
      file: join(this.options.stateDir, `${i.name}.runner`),
      signal: this.halting.signal,
    });
  }

  /** Busy or idle from the runner's own count of running tasks. */
  private refresh(i: Instance): void {
    const running = runningJobs(i);
    if (i.state === "idle" && running > 0) this.move(i, "busy");
    else if (i.state === "busy" && running === 0) this.move(i, "idle");
  }

  private sync(): void {
    // Task events fire before the runner's slot count settles; look again once it has.
    setImmediate(() => this.reconcile());
  }

  /** Drain, then unregister and forget the registration. */
  private retire(i: Instance): Promise<void> {
    if (i.retiring) return Promise.resolve();
    i.retiring = true;
    return this.track(
      (async () => {
        if (i.state === "registering") {
          // Wait for the registration to land, then retire it like any other.
          while (i.state === "registering") await new Promise((r) => setTimeout(r, 20));
        }
        if (!isLive(i.state)) return;
        this.move(i, "draining");
        await i.handle?.drain();
        this.move(i, "removing");
        await this.forget(i);
        this.move(i, "removed");
      })(),
    );
  }

  private async forget(i: Instance): Promise<void> {
    rmSync(join(this.options.stateDir, `${i.name}.runner`), { force: true });
    if (i.registration && this.options.unregister) {
      try {
        await this.options.unregister(i.registration);
      } catch (err) {
        this.logger.warn({ err: errorMessage(err), instance: i.name }, "could not unregister from the forge");
      }
    }
  }

  private ended(i: Instance, rs: RoleState, err?: unknown): void {
    if (i.retiring || this.stopped) return;
    this.crashed(i, rs, err ?? new PoolError("INTERNAL", `instance "${i.name}" stopped on its own`));
  }

  private crashed(i: Instance, rs: RoleState, err: unknown): void {
    if (this.stopped && i.state === "registering") {
      this.move(i, "removed");
      return;
    }
    const message = errorMessage(err);
    const lived = Date.now() - i.since;
    rs.failures = lived >= HEALTHY_MS ? 1 : rs.failures + 1;
    const { base, max } = this.options.backoffMs ?? { base: 1000, max: 60_000 };
    rs.nextStartAt = Date.now() + Math.min(max, base * 2 ** (rs.failures - 1));
    rs.restarts++;
    rs.lastError = `${i.name}: ${message}`;
    this.logger.error({ instance: i.name, err: message, retryInMs: rs.nextStartAt - Date.now() }, "instance crashed");
    // A forge that no longer knows the runner will not take its token again: register anew.
    if (err instanceof PoolError && err.code === "FORGE_UNAUTHENTICATED") {
      rmSync(join(this.options.stateDir, `${i.name}.runner`), { force: true });
    }
    void i.handle?.stop();
    if (isLive(i.state) || i.state === "draining") this.move(i, "crashed");
  }

  private halt(): void {
    this.stopped = true;
    this.halting.abort();
    if (this.timer) clearInterval(this.timer);
  }
}
