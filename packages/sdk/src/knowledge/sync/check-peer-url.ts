import { FleetError } from '../../errors.ts';
import { type Peer, PeerInput } from '../../schemas/peer.ts';

/**
 * Refuses to sync with a peer whose stored URL `POST /peers` would refuse (registered before it
 * checked URLs, or through `KnowledgeDB.addPeer` directly): the rule is `PeerInput`'s own, an
 * http(s) base URL. With a query string or fragment the route path appended to it would be
 * swallowed, so the pull could reach any path of the host; credentials in it would be repeated by
 * `fetch` into the error. Every problem is named, on one line; the URL itself is not quoted.
 */
export function checkPeerUrl(peer: Peer): void {
  const checked = PeerInput.shape.url.safeParse(peer.url);
  if (checked.success) return;
  const problems = checked.error.issues.map((issue) => issue.message).join('; ');
  throw new FleetError(
    'validation_failed',
    `peer ${peer.id}: its URL ${problems}; register it again (POST /peers) with its base URL`,
    { details: { field: 'url' } },
  );
}
