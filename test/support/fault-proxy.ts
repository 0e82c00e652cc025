import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * What the proxy does to one request: `pass` it, `drop` it (the forge never sees it, the caller's
 * connection is reset), `reset` after the forge answered (the answer is lost: the forge did the work),
 * `cut` the answer half way through its body. `delayMs` holds the request before it is forwarded.
 */
export interface Fault {
  kind: "pass" | "drop" | "reset" | "cut";
  delayMs?: number;
}

export interface FaultProxyOptions {
  /** The forge, e.g. http://127.0.0.1:3930. */
  target: string;
  /** Decides each request's fault from its path (e.g. /api/actions/runner.v1.RunnerService/UpdateLog). */
  decide?: (path: string) => Fault;
  /** Decides from the forge's answer whether to lose it anyway (e.g. the first FetchTask that carries a task). */
  loseAnswer?: (path: string, body: Buffer) => boolean;
}

export interface FaultCounts {
  pass: number;
  drop: number;
  reset: number;
  cut: number;
  delayed: number;
}

/** Test support: an HTTP proxy between a runner and a forge that drops, delays, resets and cuts. */
export class FaultProxy {
  readonly counts: FaultCounts = { pass: 0, drop: 0, reset: 0, cut: 0, delayed: 0 };
  #server: Server | undefined;
  #url = "";
  readonly #o: FaultProxyOptions;

  constructor(options: FaultProxyOptions) {
    this.#o = options;
  }

  get url(): string {
    return this.#url;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    this.#server = server;
    this.#url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? "/";
    const fault = this.#o.decide?.(path) ?? { kind: "pass" };
    const body = await readAll(req);
    if (fault.delayMs) {
      this.counts.delayed++;
      await new Promise((r) => setTimeout(r, fault.delayMs));
    }
    if (fault.kind === "drop") {
      this.counts.drop++;
      req.socket.destroy();
      return;
    }
    let answer: { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer };
    try {
      answer = await forward(this.#o.target, req, body);
    } catch {
      req.socket.destroy();
      return;
    }
    const lose = fault.kind === "reset" || this.#o.loseAnswer?.(path, answer.body) === true;
    if (lose) {
      this.counts.reset++;
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string | string[] | undefined> = {
      ...answer.headers,
      "content-length": String(answer.body.length),
    };
    delete headers["transfer-encoding"];
    delete headers.connection;
    res.writeHead(answer.status, headers);
    if (fault.kind === "cut" && answer.body.length > 1) {
      this.counts.cut++;
      res.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)), () => req.socket.destroy());
      return;
    }
    this.counts.pass++;
    res.end(answer.body);
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

function forward(target: string, req: IncomingMessage, body: Buffer) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>(
    (resolve, reject) => {
      const url = new URL(req.url ?? "/", target);
      const headers: Record<string, string | string[] | undefined> = {
        ...req.headers,
        host: url.host,
        "content-length": String(body.length),
      };
      delete headers["transfer-encoding"];
      delete headers.connection;
      const out = request(url, { method: req.method, headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (c: Buffer) => chunks.push(c));
        answer.on("end", () =>
          resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }),
        );
        answer.on("error", reject);
      });
      out.on("error", reject);
      out.end(body);
    },
  );
}

/** A small seeded PRNG (mulberry32), so a failing fault pattern can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
