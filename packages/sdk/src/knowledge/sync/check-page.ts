import { FleetError } from '../../errors.ts';
import type { PeerSyncContext } from './peer-sync-context.ts';
import type { PageFields } from './pulled-page.ts';

/**
 * Refuses a page that would corrupt the pull cursor: one from another node than the registered
 * peer (its URL now points elsewhere), or one that claims more changes without moving forward.
 */
export function checkPage(context: PeerSyncContext, since: number, page: PageFields): void {
  if (page.nodeId !== context.peer.id) {
    throw new FleetError(
      'conflict',
      `peer ${context.peer.id} at ${context.peer.url} answered as node ${page.nodeId}; not syncing with it`,
      { details: { field: 'nodeId', expected: context.peer.id, actual: page.nodeId } },
    );
  }
  if (page.hasMore && page.nextSince <= since) {
    throw new FleetError('internal', `peer ${context.peer.id} claims more changes after ${since} but did not advance`);
  }
}
