import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { KnowledgeDB } from '../../src/knowledge/knowledge-db.ts';
import type { FactQueryInit } from '../../src/knowledge/knowledge-db-options.ts';
import { MAX_PAGE_VALUE_BYTES } from '../../src/knowledge/sqlite/page-budget.ts';
import type { Fact } from '../../src/schemas/fact.ts';
import { startTestKnowledge, type TestKnowledge } from '../_knowledge-server.ts';
import { fact, openDb } from './_knowledge.ts';

// A query page stops at MAX_PAGE_VALUE_BYTES of values, like sync pages: 1,000 facts near the
// 256 KiB value limit would be an answer of 256 MiB, past a client's maxResponseBytes.

const BIG = 40;
/** A 200 KiB value that the full-text query `needle` matches. */
const bigValue = `needle ${'x'.repeat(200 * 1024 - 7)}`;
const bigKey = (i: number) => `big/${String(i).padStart(2, '0')}`;
const bigKeys = Array.from({ length: BIG }, (_, i) => bigKey(i));

/** 40 big facts tagged `big`, a small untagged fact after each (same prefix), big facts elsewhere. */
function seed(db: KnowledgeDB): void {
  for (let i = 0; i < BIG; i++) {
    db.put(fact({ key: bigKey(i), value: bigValue, tags: ['big'] }));
    db.put(fact({ key: `${bigKey(i)}/small`, value: 'tiny' }));
  }
  for (let i = 0; i < 5; i++) db.put(fact({ key: `other/${i}`, value: bigValue, tags: ['big'] }));
}

/** Characters of the values of `facts` as JSON text, as the page budget counts them. */
const valueChars = (facts: readonly Fact[]) => facts.reduce((sum, f) => sum + JSON.stringify(f.value).length, 0);

describe('query pages in a store', () => {
  test('a page of large values stops near the value budget and its nextCursor continues after it', () => {
    const db = openDb();
    seed(db);
    const first = db.query({ tag: 'big', prefix: 'big/', limit: 100 });
    expect(first.nextCursor).not.toBeNull();
    expect(first.items.length).toBeLessThan(BIG);
    expect(valueChars(first.items)).toBeLessThanOrEqual(MAX_PAGE_VALUE_BYTES);
    // Cut at the budget, not far below it: one more fact would have gone past it.
    expect(valueChars(first.items) + JSON.stringify(bigValue).length).toBeGreaterThan(MAX_PAGE_VALUE_BYTES);
    const next = db.query({ tag: 'big', prefix: 'big/', limit: 100, cursor: first.nextCursor! });
    expect(next.items[0]!.key).toBe(bigKey(first.items.length));
  });

  const filters: Array<[string, FactQueryInit, string[]]> = [
    [
      'no filter',
      {},
      [...bigKeys.flatMap((key) => [key, `${key}/small`]), 'other/0', 'other/1', 'other/2', 'other/3', 'other/4'],
    ],
    ['a prefix', { prefix: 'big/' }, bigKeys.flatMap((key) => [key, `${key}/small`])],
    [
      'an update time and a prefix',
      { updatedSince: '2000-01-01T00:00:00.000Z', prefix: 'big/' },
      bigKeys.flatMap((key) => [key, `${key}/small`]),
    ],
    ['a tag and a prefix', { tag: 'big', prefix: 'big/' }, bigKeys],
    ['a full-text query and a prefix', { q: 'needle', prefix: 'big/' }, bigKeys],
    [
      'a full-text query and a tag',
      { q: 'needle', tag: 'big' },
      [...bigKeys, 'other/0', 'other/1', 'other/2', 'other/3', 'other/4'],
    ],
  ];

  test.each(filters)('following nextCursor with %s returns every fact once, in key order', (_, filter, expected) => {
    const db = openDb();
    seed(db);
    const keys: string[] = [];
    let pages = 0;
    let cursor: string | null = null;
    do {
      const page = db.query({ ...filter, limit: 100, ...(cursor === null ? {} : { cursor }) });
      const encoded = db.serveQuery({ ...filter, limit: 100, ...(cursor === null ? {} : { cursor }) });
      expect(encoded.decode().facts.map((f) => f.key)).toEqual(page.items.map((f) => f.key));
      expect(page.items.length).toBeGreaterThan(0);
      expect(valueChars(page.items)).toBeLessThanOrEqual(MAX_PAGE_VALUE_BYTES);
      keys.push(...page.items.map((f) => f.key));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(keys).toEqual(expected);
    expect(pages).toBeGreaterThanOrEqual(2);
  });

  test('a page holds at most limit facts when their values fit the budget', () => {
    const db = openDb();
    seed(db);
    const page = db.query({ prefix: 'big/', limit: 3 });
    expect(page.items.map((f) => f.key)).toEqual([bigKey(0), `${bigKey(0)}/small`, bigKey(1)]);
    expect(page.nextCursor).not.toBeNull();
  });
});

describe('query pages over HTTP', () => {
  let node: TestKnowledge;
  beforeAll(async () => {
    node = await startTestKnowledge();
    const writer = node.client();
    for (let i = 0; i < BIG; i++) await writer.put({ key: bigKey(i), value: bigValue, tags: ['big'] });
  });
  afterAll(() => node.close());

  test('queryAll reads every large fact once, in order, each page within a client reading 5 MiB at most', async () => {
    // 40 values of 200 KiB are 8 MiB: one page of them all would be refused by this client.
    const client = node.client({ maxResponseBytes: 5 * 1024 * 1024 });
    const first = await client.query({ prefix: 'big/', limit: 100 });
    expect(first.count).toBeLessThan(BIG);
    expect(first.nextCursor).not.toBeNull();
    const keys: string[] = [];
    for await (const f of client.queryAll({ prefix: 'big/', limit: 100 })) keys.push(f.key);
    expect(keys).toEqual(bigKeys);
  });
});
