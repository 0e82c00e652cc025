// The embedded forge.
export { createCoordinator } from "./coordinator.js";
