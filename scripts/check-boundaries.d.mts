// Types for scripts/check-boundaries.mjs, so TypeScript tests can import it.
export interface BoundaryProblem {
  rule: "module" | "index" | "room" | "support" | "map" | "cycle";
  /** Relative to the checked root, with `/`. */
  file: string;
  line: number;
  message: string;
}

export interface ImportEdge {
  to: string;
  line: number;
}

export const MODULES: Record<string, string[]>;
export const ROOMS: Record<string, Record<string, string[]>>;
export function importsOf(fileName: string, text: string): { spec: string; line: number }[];
export function checkBoundaries(root: string): BoundaryProblem[];
export function findCycles(graph: Map<string, ImportEdge[]>): string[][];
export function formatProblem(problem: BoundaryProblem): string;
