import {
  BatchPutInput,
  BatchSendInput,
  ChangePage,
  FactInput,
  FactKey,
  NackInput,
  PeerInput,
  SendInput,
  SyncPullInput,
  SyncPushInput,
} from '@fleet/sdk';
import { describe, expect, test } from 'vitest';
import type { z } from 'zod';
import { factKeyProblem } from '../../src/schemas/fact-rules.ts';
import { isWellFormed, NOT_WELL_FORMED, toWellFormed } from '../../src/schemas/well-formed.ts';

// Text a store keeps as UTF-8 (SQLite, PostgreSQL) must be well-formed: a lone surrogate comes back
// as U+FFFD, so the stored text is not the one given and two texts can become one.

const LONE = ['k\ud800', 'k\udbff', 'k\udc00x', '\udfff', 'k\udc00\ud800', 'pair then lone \ud83d\ude00\ud83d'];
const WELL_FORMED = ['', 'plain', 'ünïcødé ✓', 'k\ud800\udc00', '😀', 'a/😀/b'];

/** `schema`'s issues for `input` as `path: message`. */
function issues(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('isWellFormed', () => {
  test.each(LONE.map((text) => [JSON.stringify(text), text]))('is false for %s', (_name, text) => {
    expect(isWellFormed(text)).toBe(false);
  });

  test.each(WELL_FORMED.map((text) => [JSON.stringify(text), text]))('is true for %s', (_name, text) => {
    expect(isWellFormed(text)).toBe(true);
  });
});

describe('fields a store keeps as text refuse a lone surrogate, naming the field', () => {
  const change = {
    seq: 1,
    key: 'k',
    value: 1,
    tags: [],
    source: 'node-a',
    version: '001764067200123-00000',
    updatedAt: '2025-01-01T00:00:00.000Z',
    expiresAt: null,
    deleted: false,
  };
  const page = { changes: [], count: 0, nodeId: 'node-a', nextSince: 0, hasMore: false };
  const cases: Array<[string, z.ZodType, unknown, string]> = [
    ['a fact key', FactKey, 'k\ud800', ''],
    ['FactInput key', FactInput, { key: 'k\udc00', value: 1 }, 'key'],
    [
      'a batch put key',
      BatchPutInput,
      {
        facts: [
          { key: 'a', value: 1 },
          { key: 'b\ud800', value: 2 },
        ],
      },
      'facts.1.key',
    ],
    [
      'a pushed change key',
      SyncPushInput,
      { nodeId: 'node-a', changes: [{ ...change, key: 'k\udbff' }] },
      'changes.0.key',
    ],
    ['a pull afterKey', SyncPullInput, { nodeId: 'node-a', since: 0, afterKey: 'k\ud800' }, 'afterKey'],
    ['a send type', SendInput, { from: 'a', to: 'b', type: 'task\ud800' }, 'type'],
    ['a send idempotencyKey', SendInput, { from: 'a', to: 'b', idempotencyKey: 'k\udc00' }, 'idempotencyKey'],
    ['a batch send type', BatchSendInput, { messages: [{ from: 'a', to: 'b', type: '\udfff' }] }, 'messages.0.type'],
    ['a nack reason', NackInput, { receipt: 'r', reason: 'failed \ud800' }, 'reason'],
    ['a peer token', PeerInput, { id: 'ezra', url: 'http://127.0.0.1:1', token: 't\ud800' }, 'token'],
    ['a pulled page feedId', ChangePage, { ...page, feedId: 'f\udc00' }, 'feedId'],
  ];

  test.each(cases)('%s', (_name, schema, input, field) => {
    expect(issues(schema, input)).toEqual([`${field}: ${NOT_WELL_FORMED}`]);
  });

  test('the same fields take a surrogate pair', () => {
    expect(FactInput.parse({ key: 'a/😀', value: 1 }).key).toBe('a/😀');
    expect(SendInput.parse({ from: 'a', to: 'b', type: '😀', idempotencyKey: 'k😀' })).toMatchObject({
      type: '😀',
      idempotencyKey: 'k😀',
    });
    expect(NackInput.parse({ receipt: 'r', reason: 'failed 😀' }).reason).toBe('failed 😀');
    expect(PeerInput.parse({ id: 'ezra', url: 'http://127.0.0.1:1', token: 't😀' }).token).toBe('t😀');
    expect(ChangePage.parse({ ...page, feedId: 'f😀' }).feedId).toBe('f😀');
  });

  test("factKeyProblem, the stores' own check, gives the same answer", () => {
    for (const key of LONE) expect(factKeyProblem(key), JSON.stringify(key)).toBe(NOT_WELL_FORMED);
    expect(factKeyProblem('a/😀')).toBeUndefined();
  });
});

describe('toWellFormed', () => {
  test('replaces each lone surrogate with U+FFFD and keeps pairs and everything else', () => {
    expect(toWellFormed('plain')).toBe('plain');
    expect(toWellFormed('\u{1F600}')).toBe('\u{1F600}');
    expect(toWellFormed('a\ud83d')).toBe('a\ufffd'); // a pair cut in half
    expect(toWellFormed('\ude00b')).toBe('\ufffdb');
    expect(toWellFormed('\udbff\ud800\udc00')).toBe('\ufffd\u{10000}');
    for (const text of ['a\ud83d', '\ude00\ud800', 'x\u{1F600}\udc00'])
      expect(isWellFormed(toWellFormed(text))).toBe(true);
  });
});
