/**
 * `up`'s two-step stop. The first SIGINT/SIGTERM drains: no new jobs, running ones finish. A second
 * signal, or `shutdown_timeout` running out, cancels what still runs; the runners report those jobs
 * cancelled before the process exits, so no job is left `running` behind it. Later signals are noted
 * and ignored (Node's default would kill the process between the cancel and its report).
 */
export interface Shutdown {
  /** Resolves on the first signal. */
  readonly requested: Promise<NodeJS.Signals>;
  /** Runs `drain`; when a second signal or the timeout comes first, also `cancel`. Returns the exit code. */
  run(drain: () => Promise<void>, cancel: () => Promise<void>): Promise<number>;
  dispose(): void;
}

export interface ShutdownOptions {
  timeoutMs: number;
  note: (text: string) => void;
  /** Called on the first signal, before `requested` resolves. */
  onRequest?: () => void;
}

export function twoStepShutdown(options: ShutdownOptions): Shutdown {
  let count = 0;
  let first!: (s: NodeJS.Signals) => void;
  let second!: () => void;
  const requested = new Promise<NodeJS.Signals>((r) => {
    first = r;
  });
  const again = new Promise<"signal">((r) => {
    second = () => r("signal");
  });
  const onSignal = (signal: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      options.onRequest?.();
      first(signal);
    } else if (count === 2) second();
    else options.note(`${signal} again: still cancelling running jobs; they are reported before the pool exits`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const dispose = () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  return {
    requested,
    dispose,
    async run(drain, cancel) {
      options.note("stopping: draining runners (running jobs finish first; a second Ctrl-C cancels them)");
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((r) => {
        timer = setTimeout(() => r("timeout"), options.timeoutMs);
      });
      const drained = drain().then(() => "drained" as const);
      const why = await Promise.race([drained, again, timeout]);
      clearTimeout(timer);
      if (why === "drained") return 0;
      const cause =
        why === "signal" ? "second signal" : `shutdown_timeout of ${Math.round(options.timeoutMs / 1000)} s`;
      options.note(`stopping: cancelling running jobs (${cause})`);
      await cancel();
      await drained.catch(() => undefined);
      return 130;
    },
  };
}
