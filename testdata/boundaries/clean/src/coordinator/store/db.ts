export interface Store {
  path: string;
}

export function openStore(): Store {
  return { path: ":memory:" };
}
