import { expand } from "./matrix.js";

export const plan = (x: number) => expand(x);
