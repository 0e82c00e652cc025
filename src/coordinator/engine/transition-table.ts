import { PoolError } from "../../lib/index.js";

/** A status machine's legal moves, as `from -> [to...]`. */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

/**
 * `can(from, to)` reads the table; `move(from, to)` returns `to` or throws INTERNAL tagged
 * `[<kind>-state]` when the move is not in it (an engine bug, never a user error).
 */
export function transitionsOf<S extends string>(kind: string, table: TransitionTable<S>) {
  const can = (from: S, to: S): boolean => table[from].includes(to);
  const move = (from: S, to: S): S => {
    if (!can(from, to))
      throw new PoolError("INTERNAL", `[${kind}-state] cannot move a ${kind} from "${from}" to "${to}"`);
    return to;
  };
  return { can, move };
}
