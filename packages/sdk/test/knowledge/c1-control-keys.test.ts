import { describe, expect, test } from 'vitest';
import { type Change, FactKey } from '../../src/index.ts';
import { formatHlc } from '../../src/knowledge/hlc.ts';
import { useTestKnowledge } from '../_knowledge-server.ts';
import { fleetErrorOf, openDb } from './_knowledge.ts';

// A key has no control characters (\p{Cc}): C0, DEL and the C1 controls U+0080–U+009F.

const knowledge = useTestKnowledge();
const post = knowledge.post;

describe('a put of a key with a C1 control character is refused', () => {
  test.each([
    ['U+0085 (next line) inside a segment', 'hosts/a\u0085b'],
    ['U+0080, the first C1 control', 'x\u0080'],
    ['U+009B (control sequence introducer) first', '\u009b[31m'],
    ['U+009F, the last C1 control', 'k\u009f'],
  ])('POST /fact of a key with %s answers 400 naming key', async (_name, key) => {
    const { status, json } = await post('/fact', { key, value: 1 });
    expect(status).toBe(400);
    expect(json?.error?.details).toMatchObject({ issues: [expect.objectContaining({ field: 'key' })] });
    expect((await knowledge.client.query({})).facts.map((fact) => fact.key)).not.toContain(key);
  });

  test('POST /facts names the item and stores none of the batch', async () => {
    const { status, json } = await post('/facts', {
      facts: [
        { key: 'ok', value: 1 },
        { key: 'bad\u0085', value: 2 },
      ],
    });
    expect(status).toBe(400);
    expect(json?.error?.details).toMatchObject({ issues: [expect.objectContaining({ field: 'facts.1.key' })] });
    expect(await knowledge.client.find('ok')).toBeUndefined();
  });

  test('the FactKey schema and the store (for callers that bypass the schema) refuse it too', () => {
    expect(FactKey.safeParse('a\u0085').success).toBe(false);
    expect(FactKey.safeParse('a\u00a0').success).toBe(true);
    const error = fleetErrorOf(
      () => openDb().put({ key: 'a\u0085', value: 1, tags: [], ttlSeconds: null }),
      'validation_failed',
    );
    expect(error.details).toMatchObject({ issues: [{ field: 'key' }] });
  });
});

describe('a fact whose key an earlier version accepted with a C1 control character', () => {
  const key = 'legacy/a\u0085b';
  const change: Change = {
    seq: 1,
    key,
    value: 'kept',
    tags: [],
    source: 'older-peer',
    version: formatHlc({ ms: Date.now(), counter: 0 }),
    updatedAt: new Date().toISOString(),
    expiresAt: null,
    deleted: false,
  };

  test('is applied when an older peer pushes it, then read, listed, pulled and deleted through the client', async () => {
    expect(await knowledge.client.push({ nodeId: 'older-peer', changes: [change] })).toMatchObject({ applied: 1 });
    expect(await knowledge.client.get(key)).toMatchObject({ key, value: 'kept' });
    expect((await knowledge.client.query({ prefix: 'legacy/' })).facts.map((fact) => fact.key)).toEqual([key]);
    const pulled = await knowledge.client.pull({ nodeId: 'newer-peer', since: 0, limit: 5000 });
    expect(pulled.changes.map((item) => item.key)).toContain(key);
    expect(await knowledge.client.delete(key)).toMatchObject({ key, deleted: true });
    const tombstone = (await knowledge.client.pull({ nodeId: 'newer-peer', since: pulled.nextSince, limit: 5000 }))
      .changes;
    expect(tombstone).toMatchObject([{ key, deleted: true }]);
    expect(await knowledge.client.find(key)).toBeUndefined();
  });

  test('a put of that key is still refused', async () => {
    expect((await post('/fact', { key, value: 'new' })).status).toBe(400);
  });
});
