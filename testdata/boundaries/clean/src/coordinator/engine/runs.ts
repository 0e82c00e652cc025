import type { Store } from "../store/db.js";

export function startEngine(store: Store) {
  return { store };
}
