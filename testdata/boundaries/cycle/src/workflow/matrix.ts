import { order } from "./needs.js";

export const expand = (x: number) => order(x);
