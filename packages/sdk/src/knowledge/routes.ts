import { z } from 'zod';
import { defineRoute } from '../contract/route.ts';
import {
  BatchPutInput,
  DeleteFactResult,
  Fact,
  FactInput,
  FactKeyParams,
  FactList,
  FactPage,
  FactQuery,
} from '../schemas/fact.ts';
import { described } from '../schemas/fields.ts';
import { lazyShape } from '../schemas/lazy-shape.ts';
import { Peer, PeerIdParams, PeerInput, PeerList, RemovePeerResult } from '../schemas/peer.ts';
import {
  ApplyResult,
  Change,
  ChangePage,
  ChangesQuery,
  SyncPullInput,
  SyncPushInput,
  SyncRunResult,
  SyncStatus,
} from '../schemas/sync.ts';

/** Query of the changes watch (SSE). */
export const WatchQuery = z.strictObject(
  lazyShape(() => ({
    prefix: described(z.string().max(512).default(''), 'Only changes to keys starting with this'),
  })),
);

/** What the examples below use. */
const EXAMPLE_FACT = { key: 'hosts/ezra/ollama/models', value: ['llama3'], tags: ['inventory'] };

/**
 * Every route of a knowledge node (besides the common `/health`, `/openapi.json` and `/metrics`).
 * The knowledge server implements exactly these, `KnowledgeClient` and the `SyncEngine` call them,
 * and `/openapi.json` is generated from them.
 */
export const knowledgeRoutes = {
  put: defineRoute({
    method: 'POST',
    path: '/fact',
    summary: 'Put (upsert) one fact',
    body: FactInput,
    response: Fact,
    status: 201,
    example: { body: EXAMPLE_FACT },
  }),
  putBatch: defineRoute({
    method: 'POST',
    path: '/facts',
    summary: 'Put up to 1,000 facts atomically',
    body: BatchPutInput,
    response: FactList,
    status: 201,
    example: {
      body: {
        facts: [
          EXAMPLE_FACT,
          { key: 'lessons/ollama/cold-start', value: 'first answer takes 20 s', ttlSeconds: 86400 },
        ],
      },
    },
  }),
  query: defineRoute({
    method: 'GET',
    path: '/facts',
    summary: 'Query facts by key prefix, tag, full text and update time; paginated, ordered by key',
    query: FactQuery,
    response: FactPage,
    example: { query: { prefix: 'hosts/ezra/', tag: 'inventory' } },
  }),
  get: defineRoute({
    method: 'GET',
    path: '/facts/**:key',
    summary: 'One fact by key (`/` in the key may be sent as it is or URL-encoded)',
    params: FactKeyParams,
    response: Fact,
    errors: ['not_found'],
    example: { params: { key: EXAMPLE_FACT.key } },
  }),
  delete: defineRoute({
    method: 'DELETE',
    path: '/facts/**:key',
    summary: 'Delete a fact (writes a tombstone that replicates)',
    params: FactKeyParams,
    response: DeleteFactResult,
    example: { params: { key: EXAMPLE_FACT.key } },
  }),
  changes: defineRoute({
    method: 'GET',
    path: '/changes',
    summary: "This node's changes feed",
    query: ChangesQuery,
    response: ChangePage,
  }),
  pull: defineRoute({
    method: 'POST',
    path: '/sync/pull',
    summary:
      "A peer pulls this node's changes (410 resync_required when its cursor predates collected tombstones or this database never gave it out)",
    body: SyncPullInput,
    response: ChangePage,
    errors: ['resync_required'],
    example: { body: { nodeId: 'mira', since: 0 } },
  }),
  push: defineRoute({
    method: 'POST',
    path: '/sync/push',
    summary: 'A peer pushes its changes to this node',
    body: SyncPushInput,
    response: ApplyResult,
    errors: ['clock_skew'],
    example: {
      body: {
        nodeId: 'mira',
        changes: [
          {
            seq: 1,
            key: 'hosts/mira/gpu',
            value: 'rtx-4090',
            tags: [],
            source: 'mira',
            version: '001738324800000-00000',
            updatedAt: '2025-01-31T12:00:00.000Z',
            expiresAt: null,
            deleted: false,
          },
        ],
      },
    },
  }),
  runSync: defineRoute({
    method: 'POST',
    path: '/sync/run',
    summary: 'Sync with every peer now and return the per-peer result',
    response: SyncRunResult,
  }),
  syncStatus: defineRoute({
    method: 'GET',
    path: '/sync/status',
    summary: 'Sync state per peer: cursors, last success and failure, lag, conflicts lost',
    response: SyncStatus,
  }),
  peers: defineRoute({ method: 'GET', path: '/peers', summary: 'List sync peers', response: PeerList }),
  addPeer: defineRoute({
    method: 'POST',
    path: '/peers',
    summary: 'Register (or update) a sync peer',
    body: PeerInput,
    response: Peer,
    status: 201,
    example: { body: { id: 'mira', url: 'http://10.0.0.7:8651', token: 'token-mira-accepts' } },
  }),
  removePeer: defineRoute({
    method: 'DELETE',
    path: '/peers/:id',
    summary: 'Remove a sync peer',
    params: PeerIdParams,
    response: RemovePeerResult,
    example: { params: { id: 'mira' } },
  }),
  watch: defineRoute({
    method: 'GET',
    path: '/watch',
    summary: 'Server-Sent Events: every change under a key prefix from now on',
    query: WatchQuery,
    response: Change,
    kind: 'sse',
    example: { query: { prefix: 'hosts/' } },
  }),
} as const;

/** The knowledge node's route table, by name. */
export type KnowledgeRoutes = typeof knowledgeRoutes;
