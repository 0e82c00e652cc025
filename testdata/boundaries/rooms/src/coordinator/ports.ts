export interface RunsPort {
  list(): string[];
}
