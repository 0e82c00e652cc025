// The workflow model.
export { plan } from "./plan.js";
