export class PoolError extends Error {}
