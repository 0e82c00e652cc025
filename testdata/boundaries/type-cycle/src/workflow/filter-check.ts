import type { Report } from "./parse.js";

export function checkFilters(report: Report) {
  report.errors.push("x");
}
