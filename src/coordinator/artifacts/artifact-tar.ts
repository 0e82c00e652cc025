import { createReadStream } from "node:fs";
import { Readable } from "node:stream";

/** One regular file to put in the archive. */
export interface TarEntry {
  /** Path inside the archive, `/`-separated, relative. */
  path: string;
  size: number;
  /** Where the content is on disk. */
  source: string;
}

const BLOCK = 512;
const MAX_OCTAL_SIZE = 0o77777777777;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

function header(name: string, size: number, type: "0" | "x", mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, "utf8");
  h.write(octal(0o644, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii");
  h.write(octal(0, 8), 116, "ascii");
  h.write(octal(Math.min(size, MAX_OCTAL_SIZE), 12), 124, "ascii");
  h.write(octal(mtime, 12), 136, "ascii");
  h.write("        ", 148, "ascii");
  h.write(type, 156, "ascii");
  h.write("ustar\0", 257, "ascii");
  h.write("00", 263, "ascii");
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return h;
}

/** A pax record `"<len> key=value\n"`, where len counts the whole record including its own digits. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest);
}

/** Headers for one entry: a pax header first when the path or size does not fit ustar's fields. */
function entryHeaders(entry: TarEntry, mtime: number): Buffer[] {
  const records: string[] = [];
  if (Buffer.byteLength(entry.path) > 100) records.push(paxRecord("path", entry.path));
  if (entry.size > MAX_OCTAL_SIZE) records.push(paxRecord("size", String(entry.size)));
  if (records.length === 0) return [header(entry.path, entry.size, "0", mtime)];
  const pax = Buffer.from(records.join(""), "utf8");
  const short = Buffer.from(entry.path, "utf8")
    .subarray(0, 99)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
  return [header("PaxHeader", pax.length, "x", mtime), pax, padding(pax.length), header(short, entry.size, "0", mtime)];
}

async function* tarChunks(entries: TarEntry[], mtime: number): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    yield* entryHeaders(entry, mtime);
    let sent = 0;
    for await (const chunk of createReadStream(entry.source) as AsyncIterable<Buffer>) {
      const part = sent + chunk.length > entry.size ? chunk.subarray(0, entry.size - sent) : chunk;
      sent += part.length;
      yield part;
      if (sent === entry.size) break;
    }
    // A stored file never changes after finalize; a short one means the disk lost data.
    if (sent !== entry.size) throw new Error(`artifact file "${entry.path}" is shorter on disk than recorded`);
    yield padding(entry.size);
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** A POSIX (pax/ustar) tar stream of regular files, readable by GNU and BSD tar. */
export function tarStream(entries: TarEntry[], mtime = Math.floor(Date.now() / 1000)): Readable {
  return Readable.from(tarChunks(entries, mtime), { objectMode: false });
}
