// A dashboard nobody put on the map.
export { x } from "../lib/index.js";
