export {
  type LocalInstance,
  type LocalPool,
  type LocalPoolOptions,
  type LocalRole,
  startLocalPool,
} from "./local-pool.js";
