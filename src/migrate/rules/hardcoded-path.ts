import { isPair, isScalar, visit } from "yaml";
import { inLocalCopyStep } from "../local-copy.js";
import type { Rule, RuleHit } from "../rule.js";
import { scalarOffset } from "../scalar-offset.js";
import { scalarText } from "../yaml-nodes.js";

/** Paths that exist on one machine only; the lookbehind keeps URLs and workspace subpaths out. */
const HOST_PATHS: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: /(?<![\w.:/}-])\/home\/[A-Za-z0-9._-]+\//g, what: "a user's home directory" },
  { pattern: /(?<![\w.:/}-])\/Users\/[A-Za-z0-9._-]+\//g, what: "a macOS home directory" },
  {
    pattern: /(?:~|\$HOME|\$\{HOME\})\/(?:dev|src|code|projects|work|workspace|git|repos)\b/g,
    what: "a directory in a developer's home",
  },
  { pattern: /(?<![\w.:/}-])\/(?:run\/)?media\/[A-Za-z0-9._-]+\//g, what: "a removable-media mount" },
  { pattern: /(?<![\w.:/}-])\/Volumes\/[A-Za-z0-9._ -]+/g, what: "a macOS volume" },
  { pattern: /(?<![\w.:/}-])\/mnt\/[A-Za-z0-9._-]+/g, what: "a host mount point" },
  { pattern: /\b[A-Za-z]:\\Users\\/g, what: "a Windows home directory" },
];

export const hardcodedPath: Rule = {
  id: "hardcoded-path",
  severity: "warning",
  shortDescription: "Path that exists only on one machine",
  help:
    "Home directories, ~/dev and host mount points exist on the machine the workflow was written on, not on " +
    "pool runners, which start every job in a clean workspace. Use paths inside the workspace, or a role " +
    "setting (secrets_dir, the role's image) for what the runner must provide.",
  check({ wf }) {
    const hits: RuleHit[] = [];
    visit(wf.doc, {
      Scalar(key, node, path) {
        const text = scalarText(node);
        const start = node.range?.[0];
        if (key === "key" || text === undefined || start === undefined || inLocalCopyStep(wf, start)) return;
        const parent = path.at(-1);
        // the value of LOCAL_REPO itself is local-repo-leftover's finding
        if (isPair(parent) && isScalar(parent.key) && parent.key.value === "LOCAL_REPO") return;
        const seenLines = new Set<number>();
        for (const { pattern, what } of HOST_PATHS) {
          for (const m of text.matchAll(pattern)) {
            const offset = scalarOffset(wf.text, node, m.index ?? 0);
            const line = wf.pos(offset).line;
            if (seenLines.has(line)) continue;
            seenLines.add(line);
            hits.push({
              offset,
              message: `"${m[0]}" is ${what} that pool runners do not have`,
              fix: "use a path inside the workspace (${{ github.workspace }}) or provide it through the role",
            });
          }
        }
      },
    });
    return hits;
  },
};
