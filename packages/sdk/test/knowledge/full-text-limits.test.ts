import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isFleetError } from '../../src/errors.ts';
import { isFleetHttpError, type KnowledgeClient } from '../../src/index.ts';
import { MAX_FULL_TEXT_MATCHES } from '../../src/schemas/full-text-rules.ts';
import { rejectionOf } from '../_bus-server.ts';
import { startTestKnowledge, type TestKnowledge } from '../_knowledge-server.ts';
import { fact, openDb } from './_knowledge.ts';

let node: TestKnowledge;
let client: KnowledgeClient;

beforeAll(async () => {
  node = await startTestKnowledge();
  client = node.client();
  await client.putBatch([
    { key: 'models/a', value: { model: 'llama3', note: 'answers code reviews best' } },
    { key: 'models/b', value: { model: 'phi3', note: 'small and quick' } },
    { key: 'models/c', value: { model: 'llama3-70b', note: 'large, answers slowly' } },
  ]);
});
afterAll(() => node.close());

/** Status, fields and message of a refused `GET /facts`. */
async function refusal(q: string) {
  const error = await rejectionOf(client.query({ q }));
  if (!isFleetHttpError(error)) throw error;
  const issues = (error.details as { issues?: Array<{ field: string }> } | undefined)?.issues ?? [];
  return { status: error.status, fields: issues.map((issue) => issue.field), message: error.message };
}

const keysOf = async (q: string) => (await client.query({ q, prefix: 'models/' })).facts.map((item) => item.key);

describe('GET /facts?q=: the full-text forms that cost unbounded work are refused', () => {
  test.each([
    ['a NEAR group', 'NEAR(llama3 answers, 10)', /NEAR/],
    ['a NEAR group with a space before its parenthesis', 'NEAR (a* e*)', /NEAR/],
    ['a one-character prefix term', 'a*', /prefix/],
    ['a two-character prefix term', 'll*', /prefix/],
    ['a short prefix after a separator inside a bareword', 'llama_a*', /prefix/],
    ['a short prefix at the end of a quoted phrase', '"answers c"*', /prefix/],
    ['more than two prefix terms', 'lla* ans* cod*', /prefix terms/],
    ['more than 12 terms', Array.from({ length: 13 }, (_, i) => `word${i}`).join(' OR '), /terms/],
    ['more than 12 terms counting the words of phrases', '"a b c d e f" "g h i j k l" m', /terms/],
    ['the reviewer query', Array(9).fill('NEAR(a* e* o* p*, 99)').join(' OR ').slice(0, 221), /NEAR|prefix/],
    // FTS5's lexer skips space, tab, LF and CR between a term and its `*`: `a *` is the prefix query `a*`.
    ['a one-character prefix term with a space before its *', 'a *', /prefix/],
    ['a one-character prefix term with a tab before its *', 'a\t*', /prefix/],
    ['a one-character prefix term with a line break before its *', 'a\r\n*', /prefix/],
    ['a short quoted prefix term with a space before its *', '"ll" *', /prefix/],
    ['more than two prefix terms with spaces before their *', 'abc * OR def * OR ghi *', /prefix terms/],
    ['twelve one-letter prefix terms', 'a * b * c * d * e * f * g * h * i * j * k * l *', /prefix/],
    ['more than 12 quoted "OR" terms, which FTS5 searches for', Array(13).fill('"OR"').join(' '), /terms/],
    ['more than 12 terms counting quoted AND, OR and NOT', '"AND" "OR" "NOT" a b c d e f g h i j', /terms/],
  ])('%s answers 400 naming q', async (_name, q, why) => {
    const refused = await refusal(q);
    expect(refused).toMatchObject({ status: 400, fields: ['q'] });
    expect(refused.message).toMatch(why);
  });

  test('plain words, phrases, AND/OR/NOT, column filters and prefix terms of three or more characters still work', async () => {
    expect(await keysOf('llama3')).toEqual(['models/a', 'models/c']);
    expect(await keysOf('"answers code"')).toEqual(['models/a']);
    expect(await keysOf('answers NOT code')).toEqual(['models/c']);
    expect(await keysOf('small OR large')).toEqual(['models/b', 'models/c']);
    expect(await keysOf('lla*')).toEqual(['models/a', 'models/c']);
    expect(await keysOf('lla *')).toEqual(['models/a', 'models/c']);
    expect(await keysOf('"answers" OR "OR"')).toEqual(['models/a', 'models/c']);
    expect(await keysOf('value: phi3')).toEqual(['models/b']);
    expect(await keysOf('"llama3"* AND slow*')).toEqual(['models/c']);
    expect(await keysOf('near')).toEqual([]);
    expect(await keysOf(Array.from({ length: 12 }, (_, i) => `word${i}`).join(' OR '))).toEqual([]);
  });
});

describe('KnowledgeDB.query: full text over a large store does bounded work', () => {
  test(`a query matching more than ${MAX_FULL_TEXT_MATCHES} facts is refused naming q; one matching exactly that many is served in full`, () => {
    const db = openDb();
    const total = 2 * MAX_FULL_TEXT_MATCHES;
    for (let start = 0; start < total; start += 1000) {
      db.putBatch(
        Array.from({ length: 1000 }, (_, offset) => {
          const i = start + offset;
          // `even` in half the facts (the cap exactly), `evenish` in one more than half.
          const words = ['common', i % 2 === 0 ? 'even' : 'odd', i % 2 === 0 || i === 1 ? 'evenish' : ''];
          return fact({ key: `doc/${String(i).padStart(6, '0')}`, value: words.join(' ') });
        }),
      );
    }

    for (const q of ['common', 'evenish', 'com*', 'odd OR even']) {
      let refused: unknown;
      try {
        db.query({ q, limit: 1 });
      } catch (error) {
        refused = error;
      }
      expect(isFleetError(refused) && refused.code, q).toBe('validation_failed');
      expect((refused as Error).message, q).toMatch(/^q: matches more than 10000 facts/);
    }

    const first = db.query({ q: 'even', limit: 3 });
    expect(first.items.map((item) => item.key)).toEqual(['doc/000000', 'doc/000002', 'doc/000004']);
    let seen = first.items.length;
    let cursor = first.nextCursor;
    while (cursor !== null) {
      const page = db.query({ q: 'even', limit: 1000, cursor });
      seen += page.items.length;
      cursor = page.nextCursor;
    }
    expect(seen).toBe(MAX_FULL_TEXT_MATCHES);
    expect(db.query({ q: 'odd AND doc', prefix: 'doc/00001', limit: 1000 }).items).toHaveLength(5);
  });

  test('the store refuses the costly forms too, for callers that bypass the HTTP schema', () => {
    const db = openDb();
    db.put(fact({ key: 'k', value: 'alpha' }));
    for (const q of ['NEAR(alpha beta)', 'a*', 'alp* alp* alp*']) {
      let refused: unknown;
      try {
        db.query({ q });
      } catch (error) {
        refused = error;
      }
      expect(isFleetError(refused) && refused.details, q).toMatchObject({ issues: [{ field: 'q' }] });
    }
    expect(db.query({ q: 'alph*' }).items.map((item) => item.key)).toEqual(['k']);
  });
});
