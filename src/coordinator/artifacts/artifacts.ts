import { PoolError } from "../../lib/index.js";

/** One file of an artifact: its path inside the artifact (`/`-separated), size and content hash. */
export interface ArtifactFile {
  path: string;
  size: number;
  /** Lower-case hex SHA-256 of the content. */
  sha256: string;
}

/** A finalized artifact of a run. */
export interface ArtifactRecord {
  /** Unique in the store; `artifact-id` of actions/upload-artifact. */
  id: number;
  runId: number;
  name: string;
  /** The job and task that uploaded it. */
  jobId: number;
  taskId: number;
  /** Sum of the file sizes. */
  size: number;
  /** Sorted by path. */
  files: ArtifactFile[];
  /** ISO-8601. */
  createdAt: string;
  /** As asked by the uploader; kept for information, nothing expires artifacts yet. */
  retentionDays?: number;
}

/** Bounds one upload; an upload that would cross one is refused with LIMIT_EXCEEDED. */
export interface ArtifactLimits {
  /** Largest single file, bytes. */
  maxFileBytes: number;
  /** Largest artifact (sum of its files), bytes. */
  maxArtifactBytes: number;
  /** Most files in one artifact. */
  maxFiles: number;
}

export const DEFAULT_ARTIFACT_LIMITS: ArtifactLimits = {
  maxFileBytes: 4 * 1024 ** 3,
  maxArtifactBytes: 10 * 1024 ** 3,
  maxFiles: 100_000,
};

// actions/upload-artifact's own list (toolkit `path-and-artifact-name-validation.ts`), plus NUL.
const NAME_FORBIDDEN = ['"', ":", "<", ">", "|", "*", "?", "\r", "\n", "\\", "/", "\0"];
const PATH_FORBIDDEN = ['"', ":", "<", ">", "|", "*", "?", "\r", "\n", "\\", "\0"];

function describe(c: string): string {
  return c === "\r" ? "carriage return" : c === "\n" ? "line feed" : c === "\0" ? "NUL" : `'${c}'`;
}

/** Throws INVALID_ARGUMENT unless `name` is an artifact name actions/upload-artifact accepts. */
export function checkArtifactName(name: string): string {
  if (name.trim() === "") throw new PoolError("INVALID_ARGUMENT", "artifact name is empty: give the artifact a name");
  if (name.length > 255) {
    throw new PoolError("INVALID_ARGUMENT", `artifact name "${name.slice(0, 40)}..." is longer than 255 characters`);
  }
  if (name === "." || name === "..") {
    throw new PoolError("INVALID_ARGUMENT", `artifact name "${name}" is not allowed: choose another name`);
  }
  const bad = NAME_FORBIDDEN.find((c) => name.includes(c));
  if (bad !== undefined) {
    throw new PoolError(
      "INVALID_ARGUMENT",
      `artifact name "${name}" contains ${describe(bad)}: names may not contain " : < > | * ? \\ / CR LF`,
    );
  }
  return name;
}

/**
 * Normalises a file path inside an artifact (`a/./b` -> `a/b`) and throws INVALID_ARGUMENT for
 * anything that could leave the artifact's directory (absolute, `..`) or that upload-artifact refuses.
 */
export function checkArtifactPath(path: string): string {
  const bad = PATH_FORBIDDEN.find((c) => path.includes(c));
  if (bad !== undefined) {
    throw new PoolError(
      "INVALID_ARGUMENT",
      `artifact file path "${path}" contains ${describe(bad)}: paths may not contain " : < > | * ? \\ CR LF`,
    );
  }
  if (path.startsWith("/")) {
    throw new PoolError(
      "INVALID_ARGUMENT",
      `artifact file path "${path}" is absolute: give it relative to the artifact`,
    );
  }
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) {
    throw new PoolError("INVALID_ARGUMENT", `artifact file path "${path}" leaves the artifact with '..'`);
  }
  if (parts.length === 0) throw new PoolError("INVALID_ARGUMENT", `artifact file path "${path}" names no file`);
  const normal = parts.join("/");
  if (Buffer.byteLength(normal) > 4096) {
    throw new PoolError("INVALID_ARGUMENT", `artifact file path "${normal.slice(0, 40)}..." is longer than 4096 bytes`);
  }
  return normal;
}
