import { PoolError } from "../../lib/index.js";

/** A step's `uses:`, decoded. */
export type ActionReference =
  | { kind: "local"; uses: string; path: string }
  | { kind: "docker"; uses: string; image: string }
  | {
      kind: "remote";
      uses: string;
      /** Scheme and host of a full-URL reference (`https://code.forgejo.org`), else undefined. */
      baseUrl?: string;
      owner: string;
      repo: string;
      /** Sub-directory inside the repository holding action.yml; "" for the root. */
      path: string;
      ref: string;
    };

const SEGMENT = /^[A-Za-z0-9_.-]+$/;

/**
 * Decodes `./path`, `docker://image`, `owner/repo[/path]@ref` and the Gitea/Forgejo full-URL form
 * `https://host/owner/repo[/path]@ref`. Anything else is an error saying what to write.
 */
export function parseActionReference(uses: string): ActionReference {
  const value = uses.trim();
  if (value.startsWith("./") || value === ".") {
    return { kind: "local", uses: value, path: value.replace(/^\.\/?/, "").replace(/\/+$/, "") };
  }
  if (value.startsWith("docker://")) {
    const image = value.slice("docker://".length);
    if (image === "") throw invalid(value, "the image after 'docker://' is missing");
    return { kind: "docker", uses: value, image };
  }
  let rest = value;
  let baseUrl: string | undefined;
  const url = /^(https?:\/\/[^/]+)\/(.*)$/i.exec(value);
  if (url) {
    baseUrl = url[1];
    rest = url[2] ?? "";
  }
  const at = rest.lastIndexOf("@");
  if (at < 0) throw invalid(value, "the '@ref' (tag, branch or commit) is missing");
  const ref = rest.slice(at + 1);
  const parts = rest
    .slice(0, at)
    .replace(/\.git$/, "")
    .split("/");
  if (ref === "" || parts.length < 2 || parts.some((p) => !SEGMENT.test(p))) {
    throw invalid(value, "it is not 'owner/repo@ref'");
  }
  const [owner = "", repo = "", ...path] = parts;
  const ref0: ActionReference = {
    kind: "remote",
    uses: value,
    owner,
    repo: repo.replace(/\.git$/, ""),
    path: path.join("/"),
    ref,
  };
  if (baseUrl !== undefined) ref0.baseUrl = baseUrl;
  return ref0;
}

function invalid(uses: string, why: string): PoolError {
  return new PoolError(
    "WORKFLOW_INVALID",
    `uses: '${uses}' is not a valid action reference (${why}): write './path/to/action', 'owner/repo@ref' or 'docker://image'`,
  );
}
