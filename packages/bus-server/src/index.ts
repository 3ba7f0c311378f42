/**
 * `@fleet/bus-server`: the Fleet message bus as an HTTP server (see `fleet-bus server`).
 */

export { registerBusMetrics } from './metrics.ts';
export { busRouteImplementations } from './routes.ts';
export type { BusServerOptions, CreateBusServerOptions, RunningBusServer } from './server.ts';
export { createBusServer, startBusServer } from './server.ts';
