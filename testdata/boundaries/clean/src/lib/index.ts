// Leaf helpers.
export { PoolError } from "./errors.js";
