import { checkFilters } from "./filter-check.js";

export interface Report {
  errors: string[];
}

export function parse(): Report {
  const report: Report = { errors: [] };
  checkFilters(report);
  return report;
}
