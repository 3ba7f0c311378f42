import type { z } from 'zod';
import { callRoute, callRouteText, type RouteAnswerText } from '../client/call-route.ts';
import { isFleetHttpError } from '../client/errors.ts';
import { FleetClient, type FleetClientOptions } from '../client/fleet-client.ts';
import type { CallOptions } from '../client/http-client.ts';
import { type StreamOptions, streamRoute } from '../client/stream-route.ts';
import type { DeleteFactResult, Fact, FactInputInit, FactList, FactPage } from '../schemas/fact.ts';
import type { Peer, PeerInput, PeerList, RemovePeerResult } from '../schemas/peer.ts';
import type {
  ApplyResult,
  Change,
  ChangePage,
  ChangesQuery,
  SyncPullInput,
  SyncPushInput,
  SyncRunResult,
  SyncStatus,
} from '../schemas/sync.ts';
import type { FactQueryInit } from './knowledge-db.ts';
import { knowledgeRoutes } from './routes.ts';

/** Options of {@link KnowledgeClient}: those of every Fleet client, with the knowledge node's URL. */
export interface KnowledgeClientOptions extends FleetClientOptions {
  /**
   * Base URL of the knowledge server.
   * @example 'http://127.0.0.1:8651'
   */
  url: string;
}

/** A pull as a peer sends it: its node id, its cursor in this node's feed and an optional page size. */
export type SyncPullInputInit = z.input<typeof SyncPullInput>;
/** Where to read the changes feed from: `since` (exclusive) and a page size; both optional. */
export type ChangesQueryInit = Partial<ChangesQuery>;

/**
 * The typed client of a Fleet knowledge node: one method per route of `knowledgeRoutes`, plus
 * `/health`, `/metrics` and `/openapi.json` (from {@link FleetClient}), `find()` (undefined instead
 * of `not_found`), `queryAll()` over every page, and a live `watch()`. The `SyncEngine` talks to
 * peers only through it.
 *
 * Error answers are thrown as `FleetHttpError` (`code` from the server's envelope), an unreachable
 * server as `FleetConnectionError`, a success answer that breaks the contract as
 * `ResponseValidationError`. Every method takes {@link CallOptions} (`signal`, `timeoutMs`) last.
 *
 * @example
 * ```ts
 * const knowledge = new KnowledgeClient({ url: 'http://127.0.0.1:8651', token: process.env.FLEET_KNOWLEDGE_TOKEN });
 * await knowledge.put({ key: 'hosts/ezra/models', value: ['llama3'], tags: ['inventory'] });
 * const fact = await knowledge.find('hosts/ezra/models');
 * for await (const fact of knowledge.queryAll({ prefix: 'hosts/' })) console.log(fact.key, fact.value);
 * ```
 */
export class KnowledgeClient extends FleetClient {
  /** Puts (upserts) one fact; the server gives it a new version with itself as `source`. */
  put(input: FactInputInit, options?: CallOptions): Promise<Fact> {
    return callRoute(this.http, knowledgeRoutes.put, { body: input }, options);
  }

  /** Puts up to 1,000 facts atomically: all are stored or none. */
  putBatch(facts: FactInputInit[], options?: CallOptions): Promise<FactList> {
    return callRoute(this.http, knowledgeRoutes.putBatch, { body: { facts } }, options);
  }

  /** One fact; a `FleetHttpError` with code `not_found` when there is no live fact under `key`. */
  get(key: string, options?: CallOptions): Promise<Fact> {
    return callRoute(this.http, knowledgeRoutes.get, { params: { key } }, options);
  }

  /** One fact, or `undefined` when there is no live fact under `key`. */
  async find(key: string, options?: CallOptions): Promise<Fact | undefined> {
    try {
      return await this.get(key, options);
    } catch (error) {
      if (isFleetHttpError(error) && error.code === 'not_found') return undefined;
      throw error;
    }
  }

  /** Deletes a fact (a tombstone that replicates); `deleted` is false when there was none. */
  delete(key: string, options?: CallOptions): Promise<DeleteFactResult> {
    return callRoute(this.http, knowledgeRoutes.delete, { params: { key } }, options);
  }

  /**
   * One page of facts matching every given filter (key prefix, tag, full text, updated since),
   * ordered by key: at most `limit` facts and about 4 MiB of values, so a page may hold fewer facts
   * than `limit` while more follow. Pass `nextCursor` back as `cursor` for the next page.
   */
  query(query: FactQueryInit = {}, options?: CallOptions): Promise<FactPage> {
    return callRoute(this.http, knowledgeRoutes.query, { query }, options);
  }

  /**
   * Every fact matching `query`, page after page (`limit` is the most facts per page; a page also
   * stops at about 4 MiB of values), following `nextCursor`, as an async iterable.
   *
   * @example
   * ```ts
   * for await (const fact of knowledge.queryAll({ tag: 'inventory' })) console.log(fact.key);
   * ```
   */
  async *queryAll(
    query: Omit<FactQueryInit, 'cursor'> = {},
    options?: CallOptions,
  ): AsyncGenerator<Fact, void, undefined> {
    let cursor: string | null = null;
    do {
      const page: FactPage = await this.query(cursor === null ? query : { ...query, cursor }, options);
      yield* page.facts;
      cursor = page.nextCursor;
    } while (cursor !== null);
  }

  /** One page of this node's changes feed (tombstones included) after `since`. */
  changes(query: ChangesQueryInit = {}, options?: CallOptions): Promise<ChangePage> {
    return callRoute(this.http, knowledgeRoutes.changes, { query }, options);
  }

  /**
   * Pulls this node's changes as the peer `nodeId` (the node records how far the peer has read).
   * A `FleetHttpError` with code `resync_required` when `since` predates collected tombstones.
   */
  pull(input: SyncPullInputInit, options?: CallOptions): Promise<ChangePage> {
    return callRoute(this.http, knowledgeRoutes.pull, { body: input }, options);
  }

  /**
   * {@link pull}, answering with the page's JSON text, not yet parsed or validated: the
   * `SyncEngine` validates large pages in a worker thread (with the same `ChangePage` schema,
   * through `decodePulledPage`) while the store writes the page before.
   */
  pullText(input: SyncPullInputInit, options?: CallOptions): Promise<RouteAnswerText> {
    return callRouteText(this.http, knowledgeRoutes.pull, { body: input }, options);
  }

  /** Pushes changes of the peer `nodeId` to this node, which applies them last-writer-wins. */
  push(input: SyncPushInput, options?: CallOptions): Promise<ApplyResult> {
    return callRoute(this.http, knowledgeRoutes.push, { body: input }, options);
  }

  /** Makes the node sync with every peer now; resolves with the result per peer. */
  runSync(options?: CallOptions): Promise<SyncRunResult> {
    return callRoute(this.http, knowledgeRoutes.runSync, {}, options);
  }

  /** Sync state per peer: cursors, last success and failure, lag and conflicts lost. */
  syncStatus(options?: CallOptions): Promise<SyncStatus> {
    return callRoute(this.http, knowledgeRoutes.syncStatus, {}, options);
  }

  /** The node's sync peers (their tokens are never returned). */
  peers(options?: CallOptions): Promise<PeerList> {
    return callRoute(this.http, knowledgeRoutes.peers, {}, options);
  }

  /** Registers (or updates) a sync peer. */
  addPeer(input: PeerInput, options?: CallOptions): Promise<Peer> {
    return callRoute(this.http, knowledgeRoutes.addPeer, { body: input }, options);
  }

  /** Removes a sync peer; `removed` is false when there was none with that id. */
  removePeer(id: string, options?: CallOptions): Promise<RemovePeerResult> {
    return callRoute(this.http, knowledgeRoutes.removePeer, { params: { id } }, options);
  }

  /**
   * Every change to a key under `prefix` from now on, live (Server-Sent Events): local writes,
   * deletions (`deleted: true`) and changes applied from peers. Ends when `signal` aborts, when
   * the server closes the stream, or when the loop breaks.
   *
   * @example
   * ```ts
   * const stop = new AbortController();
   * for await (const change of knowledge.watch('hosts/', { signal: stop.signal })) console.log(change.key);
   * ```
   */
  watch(prefix = '', options: StreamOptions = {}): AsyncGenerator<Change, void, undefined> {
    return streamRoute(this.http, knowledgeRoutes.watch, { query: { prefix } }, options);
  }
}
