import { FleetError, KnowledgeClient, NodeId, PeerInput } from '@fleet/sdk';
import type { KnowledgeDB } from '@fleet/sdk/stores';

/** A peer given on the command line: `URL`, or `ID=URL` when its node id is known. */
export interface PeerSpec {
  /** The peer's node id; learned from its `/health` when absent. */
  id?: string;
  /** Base URL of the peer's knowledge server. */
  url: string;
  /** Bearer token presented to this peer (overrides the common one). */
  token?: string;
}

/**
 * Parses `http://host:8651` or `ezra=http://host:8651`. Throws a `FleetError('validation_failed')`
 * naming the spec when the id or the URL is not valid.
 */
export function parsePeerSpec(spec: string): PeerSpec {
  const match = /^([^=/:]+)=(.*)$/s.exec(spec);
  const id = match?.[1];
  const url = (match?.[2] ?? spec).trim();
  const invalid = (why: string) =>
    new FleetError('validation_failed', `invalid peer "${spec}": ${why}`, { details: { field: 'peer' } });
  if (id !== undefined && !NodeId.safeParse(id).success) throw invalid(`"${id}" is not a valid node id`);
  if (!URL.canParse(url)) throw invalid('expected URL or ID=URL');
  // The rule POST /peers applies: an http(s) base URL without credentials, query or fragment.
  const checked = PeerInput.shape.url.safeParse(url);
  if (!checked.success) throw invalid(`the URL ${checked.error.issues[0]?.message ?? 'is not valid'}`);
  return { ...(id !== undefined ? { id } : {}), url: url.replace(/\/+$/, '') };
}

/** Options of {@link registerPeers}. */
export interface RegisterPeersOptions {
  /** Bearer token presented to these peers. */
  token?: string;
  /** Stops learning ids (the server is closing). */
  signal: AbortSignal;
  /** Called once a peer is registered, e.g. to sync with it at once. */
  onRegistered?: (id: string) => void;
  /** Where failures to reach a peer are reported. */
  logger?: Pick<Console, 'warn'>;
  /** First wait before asking an unreachable peer again, doubled up to a minute. @default 1000 */
  retryBaseMs?: number;
}

const MAX_RETRY_MS = 60_000;

/**
 * Registers the `--peer` peers. A peer with an id, or whose URL a registered peer already has, is
 * registered at once; for the others the id is asked from the peer's `/health` (`details.nodeId`)
 * in the background, again with backoff while it cannot be reached, until `signal` aborts.
 * Resolves once every peer is registered or the signal aborted.
 *
 * A peer registered before keeps its `createdAt` and gets the spec's url. Its token is replaced
 * only by one given here (the spec's own, else `options.token`); without either, the stored token
 * (one set through `POST /peers`, say) is kept, since the specs are registered again at every start.
 */
export async function registerPeers(db: KnowledgeDB, specs: readonly PeerSpec[], options: RegisterPeersOptions) {
  const register = (id: string, url: string, own?: string) => {
    const token = own ?? options.token;
    db.addPeer({ id, url, ...(token ? { token } : {}) }, { keepStoredToken: true });
    options.onRegistered?.(id);
  };
  const pending: PeerSpec[] = [];
  for (const spec of specs) {
    const known = db.peers().find((peer) => peer.url.replace(/\/+$/, '') === spec.url);
    const id = spec.id ?? known?.id;
    if (id !== undefined) register(id, spec.url, spec.token);
    else pending.push(spec);
  }
  await Promise.all(
    pending.map(async (spec) => {
      const id = await learnNodeId(spec.url, options);
      if (id !== undefined && !options.signal.aborted) register(id, spec.url, spec.token);
    }),
  );
}

/**
 * Asks the peer's `/health` for its node id until it answers or `signal` aborts. Without a token:
 * `/health` needs none, and the common token must not reach a peer given a token of its own.
 */
async function learnNodeId(url: string, options: RegisterPeersOptions): Promise<string | undefined> {
  const client = new KnowledgeClient({ url, retry: 0, timeoutMs: 10_000 });
  let waitMs = options.retryBaseMs ?? 1000;
  while (!options.signal.aborted) {
    try {
      const health = await client.health({ signal: options.signal });
      const nodeId = NodeId.safeParse(health.details?.nodeId);
      if (nodeId.success) return nodeId.data;
      options.logger?.warn(`peer ${url} is not a knowledge node (its /health has no details.nodeId)`);
      return undefined;
    } catch (error) {
      if (options.signal.aborted) return undefined;
      options.logger?.warn(
        `peer ${url}: cannot learn its node id (${error instanceof Error ? error.message : String(error)}); retrying in ${waitMs} ms`,
      );
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, waitMs);
      function done() {
        clearTimeout(timer);
        options.signal.removeEventListener('abort', done);
        resolve();
      }
      options.signal.addEventListener('abort', done, { once: true });
    });
    waitMs = Math.min(waitMs * 2, MAX_RETRY_MS);
  }
  return undefined;
}
