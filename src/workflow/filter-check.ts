import { errorMessage } from "../lib/index.js";
import { globToRegExp } from "./glob.js";
import type { Workflow } from "./model.js";
import type { Report } from "./report.js";
import type { YamlSource } from "./yaml-source.js";

const FILTER_KEYS = ["branches", "branches-ignore", "tags", "tags-ignore", "paths", "paths-ignore"];

/** Reports branch/tag/path filter patterns that cannot be compiled, at the pattern. */
export function checkFilterPatterns(workflow: Workflow, source: YamlSource, report: Report): void {
  const onKey = workflow.raw.on !== undefined ? "on" : "true";
  for (const [event, filter] of Object.entries(workflow.on)) {
    for (const key of FILTER_KEYS) {
      const list = filter[key];
      if (list === undefined || list === null) continue;
      (Array.isArray(list) ? list : [list]).forEach((p, i) => {
        try {
          globToRegExp(String(p).replace(/^!/, ""));
        } catch (err) {
          const pos = source.positionOf([onKey, event, key, i], [onKey, event, key], [onKey]);
          report("filter-pattern-invalid", "error", `on.${event}.${key}: ${errorMessage(err)}`, pos);
        }
      });
    }
  }
}
