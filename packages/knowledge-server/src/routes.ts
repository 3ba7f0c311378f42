import { FleetError, knowledgeRoutes } from '@fleet/sdk';
import { implement, type RouteImplementation } from '@fleet/sdk/server';
import { type KnowledgeDB, type SyncEngine, watchChanges } from '@fleet/sdk/stores';

/**
 * The knowledge server: each route of the `knowledgeRoutes` contract bound to one KnowledgeDB
 * (or SyncEngine) call. Validation, auth, errors and encoding are the shared plumbing's job.
 */
export function knowledgeRouteImplementations(db: KnowledgeDB, engine: SyncEngine): RouteImplementation[] {
  return [
    implement(knowledgeRoutes.put, ({ body }) => db.put(body)),
    implement(knowledgeRoutes.putBatch, ({ body }) => {
      const facts = db.putBatch(body.facts);
      return { facts, count: facts.length };
    }),
    implement(knowledgeRoutes.query, ({ query }) => db.serveQuery(query)),
    implement(knowledgeRoutes.get, ({ params }) => {
      const fact = db.get(params.key);
      if (!fact) throw new FleetError('not_found', `no fact with key ${params.key}`, { details: { field: 'key' } });
      return fact;
    }),
    implement(knowledgeRoutes.delete, ({ params }) => db.delete(params.key)),
    implement(knowledgeRoutes.changes, ({ query }) => db.changes(query.since, query.limit)),
    implement(knowledgeRoutes.pull, ({ body }) => db.servePull(body)),
    implement(knowledgeRoutes.push, ({ body }) => db.applyChanges(body.changes, body.nodeId)),
    implement(knowledgeRoutes.runSync, async () => {
      const results = await engine.syncAll();
      return { results, count: results.length };
    }),
    implement(knowledgeRoutes.syncStatus, () => db.syncStatus()),
    implement(knowledgeRoutes.peers, () => {
      const peers = db.peers();
      return { peers, count: peers.length };
    }),
    implement(knowledgeRoutes.addPeer, ({ body }) => db.addPeer(body)),
    implement(knowledgeRoutes.removePeer, ({ params }) => ({ removed: db.removePeer(params.id) })),
    implement(knowledgeRoutes.watch, ({ query, signal }) => watchChanges(db, { prefix: query.prefix, signal })),
  ];
}
