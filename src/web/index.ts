// The operator surface of `up`: the JSON API under /api/v1/, its CLI client and the Prometheus metrics.
// It reads and steers the forge and the pool only through the ports it declares (operator-ports.ts).
export { type ApiClient, type ApiClientOptions, createApiClient } from "./api-client.js";
export { createOperatorApi, type OperatorApi, type OperatorApiOptions } from "./api-handler.js";
export * from "./api-types.js";
export { createDashboard } from "./dashboard.js";
export { type CheckoutSample, createMetrics, METRICS_PATH } from "./metrics.js";
export type { OperatorSources, PoolSource, RunChange, RunsSource } from "./operator-ports.js";
