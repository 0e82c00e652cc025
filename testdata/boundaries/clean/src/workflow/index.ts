// The workflow model.
export type { Workflow } from "./model.js";
export { parse } from "./parse.js";
