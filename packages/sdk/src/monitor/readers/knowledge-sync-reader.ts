import { FleetConnectionError } from '../../client/errors.ts';
import { toIso } from '../../internal/iso-time.ts';
import { KnowledgeClient } from '../../knowledge/knowledge-client.ts';
import type { KnowledgeSync } from '../../schemas/fleet-status.ts';
import { stoppedBy } from '../internal/monitor-stopped.ts';
import type { ResolvedTarget } from '../internal/resolve-target.ts';
import { describeError } from './describe-error.ts';
import { serviceBaseUrl } from './service-url.ts';

/**
 * Reads a knowledge node's sync status (`GET /sync/status`) into a {@link KnowledgeSync}: lag per
 * peer. A failed read keeps the last good figures (and their time) and sets `error`; it never
 * throws. A peer whose lag the node cannot tell yet counts 0 facts behind.
 */
export class KnowledgeSyncReader {
  readonly #client: KnowledgeClient;
  readonly #timeoutMs: number;
  readonly #baseUrl: string;
  #sync: KnowledgeSync;

  constructor(resolved: ResolvedTarget) {
    const { target } = resolved;
    this.#baseUrl = serviceBaseUrl(target.url);
    this.#client = new KnowledgeClient({
      url: this.#baseUrl,
      retry: 0,
      ...(target.headers ? { headers: target.headers } : {}),
    });
    this.#timeoutMs = resolved.timeoutMs;
    this.#sync = { target: target.id, at: null, error: null, nodeId: null, peers: [] };
  }

  /** The sync status as last read. */
  get value(): KnowledgeSync {
    return this.#sync;
  }

  /** Reads the sync status now. */
  async read(nowMs: () => number, signal?: AbortSignal): Promise<KnowledgeSync> {
    try {
      const status = await this.#client.syncStatus({ timeoutMs: this.#timeoutMs, ...(signal ? { signal } : {}) });
      this.#sync = {
        target: this.#sync.target,
        at: toIso(nowMs()),
        error: null,
        nodeId: status.nodeId,
        peers: status.peers.map((peer) => ({
          peer: peer.peer,
          lagFacts: peer.lagFacts ?? 0,
          lagSeconds: peer.lagSeconds,
          lastSuccessAt: peer.lastSuccessAt,
          lastError: peer.lastError,
        })),
      };
    } catch (error) {
      // A read the monitor's stop cut short says nothing about the target: its figures stay.
      if (stoppedBy(signal)) return this.#sync;
      this.#sync = { ...this.#sync, error: describeError(error) };
    }
    return this.#sync;
  }

  /**
   * Records a check that did not read because the target gave its health probe no answer
   * (`reason`, e.g. `connection refused`): like a failed read, the last figures stay and `error`
   * says why.
   */
  skip(reason: string): void {
    this.#sync = { ...this.#sync, error: describeError(new FleetConnectionError(this.#baseUrl, reason)) };
  }
}
