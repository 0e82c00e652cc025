// Types for scripts/check-size.mjs, so TypeScript tests can import it.
export interface SizeProblem {
  rule: "file" | "function" | "command";
  /** Relative to the checked root, with `/`. */
  file: string;
  line: number;
  lines: number;
  message: string;
}

export interface FunctionSpan {
  name: string;
  start: number;
  end: number;
  lines: number;
}

export const MAX_FILE_LINES: number;
export const MAX_FUNCTION_LINES: number;
export const MAX_COMMAND_LINES: number;
export function countLines(text: string): number;
export function functionsOf(fileName: string, text: string): FunctionSpan[];
export function checkSize(root: string): SizeProblem[];
export function formatProblem(problem: SizeProblem): string;
