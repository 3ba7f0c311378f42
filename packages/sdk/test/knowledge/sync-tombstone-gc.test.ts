import { describe, expect, test } from 'vitest';
import { SyncEngine } from '../../src/stores/index.ts';
import { type PeerNode, type RecordedRequest, recordingClientFor, startPeer } from './_sync.ts';

/** A sync engine over `node`'s database that writes down its warnings and its requests. */
function engineOf(node: PeerNode, warnings: string[], log: RecordedRequest[]): SyncEngine {
  return new SyncEngine({
    db: node.db,
    clientFor: recordingClientFor(log),
    logger: { warn: (message: string) => warnings.push(`${node.nodeId}: ${message}`) },
  });
}

async function round(engine: SyncEngine) {
  const [result] = await engine.syncAll();
  expect(result?.error).toBeNull();
  return result!;
}

describe('tombstone GC between two syncing nodes', () => {
  test('a delete pushed to the peer and a GC on the pushing node do not force the peer into a full resync', async () => {
    const a = await startPeer('a');
    const b = await startPeer('b');
    a.db.addPeer({ id: 'b', url: b.url });
    b.db.addPeer({ id: 'a', url: a.url });
    const warnings: string[] = [];
    const log: RecordedRequest[] = [];
    const engineA = engineOf(a, warnings, log);
    const engineB = engineOf(b, warnings, log);
    await a.client.putBatch(Array.from({ length: 20 }, (_, i) => ({ key: `k/${i}`, value: i })));
    await round(engineA);
    await round(engineB);

    // a deletes a fact, its round pushes the tombstone to b, and a's GC runs before b's next round.
    await a.client.delete('k/1');
    expect(await round(engineA)).toMatchObject({ pushed: 1 });
    expect(b.db.get('k/1')).toBeUndefined();
    a.db.gc();
    log.length = 0;
    await round(engineB);
    expect(warnings.filter((warning) => warning.includes('resync'))).toEqual([]);
    expect(
      log.filter((entry) => entry.path === '/sync/pull').every((entry) => entry.body?.afterKey === undefined),
    ).toBe(true);

    // Once b's pulls have acknowledged the tombstone, a collects it and b still follows the feed.
    await round(engineB);
    expect(a.db.gc().tombstonesRemoved).toBe(1);
    await a.client.put({ key: 'later', value: 1 });
    await round(engineB);
    expect(warnings.filter((warning) => warning.includes('resync'))).toEqual([]);
    expect(b.db.get('later')?.value).toBe(1);
    expect(b.db.get('k/1')).toBeUndefined();
  });
});
