import { describe, expect, test } from 'vitest';
import { type Change, isFleetHttpError, MAX_FACT_VALUE_BYTES } from '../../src/index.ts';
import { formatHlc } from '../../src/knowledge/hlc.ts';
import { MAX_PAGE_VALUE_BYTES } from '../../src/knowledge/sqlite/page-budget.ts';
import { FactInput } from '../../src/schemas/fact.ts';
import { watchChanges } from '../../src/stores/index.ts';
import { rejectionOf } from '../_bus-server.ts';
import { useTestKnowledge } from '../_knowledge-server.ts';
import { fact, fleetErrorOf, openDb } from './_knowledge.ts';

// The value limit is in bytes of JSON as UTF-8: `中` is 3 bytes, 1 UTF-16 code unit.
const HAN = '中';
/** The longest string of HAN within the limit: 2 quotes + 3 bytes each. */
const FITS = Math.floor((MAX_FACT_VALUE_BYTES - 2) / 3);
const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

const knowledge = useTestKnowledge();
const post = knowledge.post;

/** A change as a peer's feed carries it, written `aheadMs` from now by `source`. */
function remoteChange(key: string, value: Change['value'], source = 'older-peer', aheadMs = 0): Change {
  const ms = Date.now() + aheadMs;
  return {
    seq: 1,
    key,
    value,
    tags: [],
    source,
    version: formatHlc({ ms, counter: 0 }),
    updatedAt: new Date(ms).toISOString(),
    expiresAt: null,
    deleted: false,
  };
}

describe('a fact value is at most MAX_FACT_VALUE_BYTES bytes of UTF-8 JSON', () => {
  test('POST /fact of 262,000 three-byte characters (786,002 bytes) answers 400 naming value and stores nothing', async () => {
    const { status, json } = await post('/fact', { key: 'wide/big', value: HAN.repeat(262_000) });
    expect(status).toBe(400);
    expect(json?.error?.details).toMatchObject({ issues: [{ field: 'value' }] });
    expect(await knowledge.client.find('wide/big')).toBeUndefined();
  });

  test('the limit is exact: one three-byte character more than fits is refused, in a put and a batch', async () => {
    expect(jsonBytes(HAN.repeat(FITS))).toBeLessThanOrEqual(MAX_FACT_VALUE_BYTES);
    expect(jsonBytes(HAN.repeat(FITS + 1))).toBeGreaterThan(MAX_FACT_VALUE_BYTES);
    expect(await knowledge.client.put({ key: 'wide/fits', value: HAN.repeat(FITS) })).toMatchObject({
      key: 'wide/fits',
    });
    expect((await post('/fact', { key: 'wide/over', value: HAN.repeat(FITS + 1) })).status).toBe(400);
    const batch = await post('/facts', {
      facts: [
        { key: 'wide/ok', value: 1 },
        { key: 'wide/over', value: HAN.repeat(FITS + 1) },
      ],
    });
    expect(batch.status).toBe(400);
    expect(batch.json?.error?.details).toMatchObject({ issues: [{ field: 'facts.1.value' }] });
    expect(await knowledge.client.find('wide/ok')).toBeUndefined();
  });

  test('the FactInput schema and the store (for callers that bypass the schema) count bytes too', () => {
    expect(FactInput.safeParse({ key: 'k', value: HAN.repeat(FITS + 1) }).success).toBe(false);
    expect(
      FactInput.safeParse({ key: 'k', value: '😀'.repeat(Math.floor((MAX_FACT_VALUE_BYTES - 2) / 4) + 1) }).success,
    ).toBe(false);
    const db = openDb();
    const input = { key: 'k', value: HAN.repeat(FITS + 1), tags: [], ttlSeconds: null };
    const error = fleetErrorOf(() => db.put(input), 'validation_failed');
    expect(error.details).toMatchObject({ issues: [{ field: 'value' }] });
  });
});

describe('a value over the byte limit that an earlier version stored (within MAX_FACT_VALUE_BYTES UTF-16 code units)', () => {
  // 300,002 bytes of JSON, 100,002 code units: what versions before byte counting accepted.
  const legacy = HAN.repeat(100_000);

  test('a push of it from an older peer is applied; it is readable, listed, deletable and pulled again', async () => {
    const pushed = await knowledge.client.push({
      nodeId: 'older-peer',
      changes: [remoteChange('legacy/wide', legacy)],
    });
    expect(pushed).toMatchObject({ applied: 1, ignored: 0 });
    expect((await knowledge.client.get('legacy/wide')).value).toBe(legacy);
    expect((await knowledge.client.query({ prefix: 'legacy/' })).facts.map((item) => item.key)).toEqual([
      'legacy/wide',
    ]);
    const pulled = await knowledge.client.pull({ nodeId: 'newer-peer', since: 0, limit: 5000 });
    expect(pulled.changes.find((change) => change.key === 'legacy/wide')?.value).toBe(legacy);
    expect(await knowledge.client.delete('legacy/wide')).toMatchObject({ deleted: true });
  });

  test('a change past the limit even in code units is still refused, naming it', async () => {
    const error = await rejectionOf(
      knowledge.client.push({
        nodeId: 'older-peer',
        changes: [remoteChange('legacy/huge', 'x'.repeat(MAX_FACT_VALUE_BYTES))],
      }),
    );
    expect(isFleetHttpError(error) && error.details).toMatchObject({ issues: [{ field: 'changes.0.value' }] });
  });
});

describe('budgets of values count UTF-8 bytes', () => {
  test('a query page stops at MAX_PAGE_VALUE_BYTES of three-byte characters', () => {
    const db = openDb();
    const value = HAN.repeat(80_000); // 240,002 bytes, 80,002 code units
    for (let i = 0; i < 30; i++) db.put(fact({ key: `wide/${String(i).padStart(2, '0')}`, value }));
    const first = db.query({ prefix: 'wide/', limit: 1000 });
    expect(first.nextCursor).not.toBeNull();
    const bytes = first.items.reduce((sum, item) => sum + jsonBytes(item.value), 0);
    expect(bytes).toBeLessThanOrEqual(MAX_PAGE_VALUE_BYTES);
    expect(bytes + jsonBytes(value)).toBeGreaterThan(MAX_PAGE_VALUE_BYTES);
    const feed = db.changes(0, 5000);
    expect(feed.hasMore).toBe(true);
    expect(feed.changes.reduce((sum, change) => sum + jsonBytes(change.value), 0)).toBeLessThanOrEqual(
      MAX_PAGE_VALUE_BYTES,
    );
  });

  test('a watch counts the changes it holds for a slow reader in UTF-8 bytes', async () => {
    const db = openDb();
    const probe = watchChanges(db);
    db.put(fact({ key: 'a', value: HAN.repeat(20) })); // 62 bytes, 22 code units
    const text = JSON.stringify((await probe.next()).value);
    await probe.return();
    // Two such changes fit in this many code units, not in this many bytes.
    const watch = watchChanges(db, { maxBufferedBytes: 2 * jsonBytes(JSON.parse(text)) - 1 });
    expect(2 * text.length).toBeLessThan(2 * jsonBytes(JSON.parse(text)) - 1);
    db.put(fact({ key: 'b', value: HAN.repeat(20) }));
    db.put(fact({ key: 'c', value: HAN.repeat(20) }));
    await expect(watch.next()).rejects.toMatchObject({ code: 'unavailable' });
  });
});
