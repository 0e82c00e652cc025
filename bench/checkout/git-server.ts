// A git server on 127.0.0.1 made of the coordinator's smart-HTTP handler, with a record of every
// request (Host, Git-Protocol, user, bytes sent). Used in-process by the checkout benchmark and as a
// separate process by the executor's checkout tests (which may not import the coordinator):
//   node --import tsx bench/checkout/git-server.ts <reposDir> [--user NAME:PASSWORD]
// prints {"event":"listening","url":...} and then one {"event":"request",...} line per request.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createGitHttpHandler, type GitPushEvent } from "../../src/coordinator/index.js";

export interface GitServerRequest {
  method: string;
  path: string;
  host: string;
  /** How many Host headers the request carried (a client adding its own must replace, not repeat, it). */
  hostHeaders: number;
  gitProtocol: string;
  user: string;
  status: number;
  /** Response bytes on the wire, headers included. */
  bytes: number;
}

export interface GitServer {
  url: string;
  requests: GitServerRequest[];
  pushes: GitPushEvent[];
  bytesServed(): number;
  /** Requests not yet answered; 0 means `requests` is complete. */
  inFlight(): number;
  close(): Promise<void>;
}

export interface GitServerOptions {
  reposDir: string;
  /** Credentials accepted for push (and for fetch when `private`). */
  user?: string;
  password?: string;
  /** Fetch needs the credentials too. */
  private?: boolean;
  onRequest?: (r: GitServerRequest) => void;
}

export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  const requests: GitServerRequest[] = [];
  const pushes: GitPushEvent[] = [];
  const handler = createGitHttpHandler({
    reposDir: options.reposDir,
    authorize: (r) => {
      const ok = options.user !== undefined && r.user === options.user && r.password === options.password;
      return r.service === "upload-pack" && !options.private ? true : ok;
    },
    onPush: (e) => pushes.push(e),
  });
  let inFlight = 0;
  const server = createServer((req, res) => {
    inFlight += 1;
    const before = req.socket.bytesWritten;
    const auth = /^basic\s+(\S+)/i.exec(req.headers.authorization ?? "")?.[1];
    const record: GitServerRequest = {
      method: req.method ?? "",
      path: req.url ?? "",
      host: req.headers.host ?? "",
      hostHeaders: req.rawHeaders.filter((h, i) => i % 2 === 0 && h.toLowerCase() === "host").length,
      gitProtocol: String(req.headers["git-protocol"] ?? ""),
      user: auth ? (Buffer.from(auth, "base64").toString("utf8").split(":")[0] ?? "") : "",
      status: 0,
      bytes: 0,
    };
    res.once("close", () => {
      record.status = res.statusCode;
      record.bytes = req.socket.bytesWritten - before;
      requests.push(record);
      inFlight -= 1;
      options.onRequest?.(record);
    });
    if (!handler(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    pushes,
    bytesServed: () => requests.reduce((sum, r) => sum + r.bytes, 0),
    inFlight: () => inFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [reposDir, ...rest] = process.argv.slice(2);
  if (reposDir === undefined) {
    console.error("usage: git-server.ts <reposDir> [--user NAME:PASSWORD] [--private]");
    process.exit(2);
  }
  const userArg = rest[rest.indexOf("--user") + 1];
  const [user, password] = rest.includes("--user") && userArg ? userArg.split(":") : [];
  const server = await startGitServer({
    reposDir,
    user,
    password,
    private: rest.includes("--private"),
    onRequest: (r) => process.stdout.write(`${JSON.stringify({ event: "request", ...r })}\n`),
  });
  process.stdout.write(`${JSON.stringify({ event: "listening", url: server.url })}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  // Dies with the test that started it.
  process.stdin.on("end", stop);
  process.stdin.resume();
}
