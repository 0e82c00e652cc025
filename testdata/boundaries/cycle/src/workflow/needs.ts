import { plan } from "./plan.js";

export const order = (x: number): number => (x > 0 ? plan(x - 1) : 0);
