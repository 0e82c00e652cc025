// The only reader of runnerpool.toml.
import type { Workflow } from "../workflow/index.js";

export type Roles = Workflow[];
