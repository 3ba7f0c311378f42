// A knowledge node that syncs once with one peer, using the BUILT @fleet/sdk (run `npm run build`).
// Config comes as JSON in argv[2]: { db, nodeId, peerId, peerUrl, batchSize, pauseMs }.
// Before handing each /sync/pull answer to the engine it prints one JSON line
// {"pull":{"since":S,"afterKey":K,"count":N,"nextSince":M,"nextKey":K2}} (afterKey and nextKey on the
// pages of a first, key-ordered snapshot pull) (stdout to a pipe is synchronous on Linux, so the
// line is out before the page can be applied), then waits pauseMs so a test can kill it mid-pull.
// Prints {"done":...} with the engine's results when the sync is over.
import { KnowledgeClient } from '@fleet/sdk';
import { KnowledgeDB, SyncEngine } from '@fleet/sdk/stores';

const config = JSON.parse(process.argv[2]);
const db = new KnowledgeDB({ path: config.db, nodeId: config.nodeId });
db.addPeer({ id: config.peerId, url: config.peerUrl });

async function observingFetch(input, init) {
  const request = new Request(input, init);
  const body = request.method === 'POST' ? await request.clone().json() : undefined;
  const response = await fetch(request);
  if (new URL(request.url).pathname === '/sync/pull' && response.ok) {
    const page = await response.clone().json();
    process.stdout.write(
      `${JSON.stringify({
        pull: {
          since: body.since,
          afterKey: body.afterKey,
          count: page.changes.length,
          nextSince: page.nextSince,
          nextKey: page.nextKey,
        },
      })}\n`,
    );
    if (config.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, config.pauseMs));
  }
  return response;
}

const engine = new SyncEngine({
  db,
  batchSize: config.batchSize,
  clientFor: (peer) => new KnowledgeClient({ url: peer.url, retry: 0, fetch: observingFetch }),
});
const results = await engine.syncAll();
process.stdout.write(`${JSON.stringify({ done: results })}\n`);
await engine.stop();
db.close();
