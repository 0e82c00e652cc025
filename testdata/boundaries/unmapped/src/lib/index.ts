// Leaf helpers.
export const x = 1;
