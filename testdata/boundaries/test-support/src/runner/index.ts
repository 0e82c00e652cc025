// One runner instance.
export { poll } from "./poller.js";
