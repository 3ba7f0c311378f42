import { FleetError } from '../../errors.ts';
import { baseUrlProblem, hasUrlCredentials } from '../../schemas/http-url.ts';
import type { Peer } from '../../schemas/peer.ts';

/**
 * Refuses to sync with a peer whose stored URL is no base URL (registered before `POST /peers`
 * checked it, or through `KnowledgeDB.addPeer` directly): with a query string or fragment the
 * route path appended to it would be swallowed, so the pull could reach any path of the host;
 * credentials in it would be repeated by `fetch` into the error. The URL itself is not quoted.
 */
export function checkPeerUrl(peer: Peer): void {
  const problem = hasUrlCredentials(peer.url)
    ? 'must not include credentials (user:password@)'
    : baseUrlProblem(peer.url);
  if (problem === undefined) return;
  throw new FleetError(
    'validation_failed',
    `peer ${peer.id}: its URL ${problem}; register it again (POST /peers) with its base URL`,
    { details: { field: 'url' } },
  );
}
