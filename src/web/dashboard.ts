import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = fileURLToPath(new URL("./dashboard/", import.meta.url));
// uPlot's browser build, straight from its npm package: no front-end build step.
const UPLOT = dirname(createRequire(import.meta.url).resolve("uplot"));

/** Every file the dashboard serves: the page, its script and style, and the chart library. */
const FILES: Record<string, { file: string; type: string }> = {
  "/": { file: join(HERE, "index.html"), type: "text/html; charset=utf-8" },
  "/ui/app.js": { file: join(HERE, "app.js"), type: "text/javascript; charset=utf-8" },
  "/ui/style.css": { file: join(HERE, "style.css"), type: "text/css; charset=utf-8" },
  "/ui/uPlot.js": { file: join(UPLOT, "uPlot.iife.min.js"), type: "text/javascript; charset=utf-8" },
  "/ui/uPlot.css": { file: join(UPLOT, "uPlot.min.css"), type: "text/css; charset=utf-8" },
};

/**
 * The dashboard at `up`'s URL: static files only (they hold no data), so they need no token; the page
 * reads everything through the operator API with the reader's rights.
 */
export function createDashboard() {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const entry = FILES[(req.url ?? "/").split("?", 1)[0] ?? "/"];
    if (!entry) return false;
    readFile(entry.file).then(
      (body) => res.writeHead(200, { "content-type": entry.type, "cache-control": "no-cache" }).end(body),
      (err: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(String(err)),
    );
    return true;
  };
}
