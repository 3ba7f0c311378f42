/**
 * `@fleet/knowledge-server`: the Fleet knowledge store as an HTTP server (see `fleet-knowledge server`).
 */

export { registerKnowledgeMetrics } from './metrics.ts';
export type { PeerSpec, RegisterPeersOptions } from './peer-specs.ts';
export { parsePeerSpec, registerPeers } from './peer-specs.ts';
export { knowledgeRouteImplementations } from './routes.ts';
export type { CreateKnowledgeServerOptions, KnowledgeServerOptions, RunningKnowledgeServer } from './server.ts';
export { createKnowledgeServer, startKnowledgeServer } from './server.ts';
