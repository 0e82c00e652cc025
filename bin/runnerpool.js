#!/usr/bin/env node
// Entry point: TypeScript sources run through tsx, so a fresh clone needs only `npm ci`.
import { register } from "node:module";
import { register as registerTsx } from "tsx/esm/api";

register("./json-hook.mjs", import.meta.url);
registerTsx();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
