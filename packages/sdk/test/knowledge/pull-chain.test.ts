import { describe, expect, test } from 'vitest';
import { nextPullInput, samePull } from '../../src/knowledge/sync/pull-chain.ts';
import type { PageFields } from '../../src/knowledge/sync/pulled-page.ts';

const page = (fields: Partial<PageFields>): PageFields => ({
  count: 10,
  nodeId: 'peer',
  nextSince: 50,
  hasMore: true,
  ...fields,
});

describe('nextPullInput', () => {
  test('after a snapshot page: the page after its nextKey', () => {
    const input = { nodeId: 'me', since: 0, limit: 10, afterKey: 'a' };
    expect(nextPullInput(input, page({ nextKey: 'k' }))).toEqual({ nodeId: 'me', since: 0, limit: 10, afterKey: 'k' });
    expect(nextPullInput({ ...input, afterKey: null }, page({ nextKey: 'k' }))).toMatchObject({ afterKey: 'k' });
  });

  test('after a feed page: the page after its nextSince, acknowledging no more than the request did', () => {
    const input = { nodeId: 'me', since: 20, limit: 10, acknowledged: 10 };
    expect(nextPullInput(input, page({ nextSince: 30 }))).toEqual({
      nodeId: 'me',
      since: 30,
      limit: 10,
      acknowledged: 10,
    });
    expect(nextPullInput({ nodeId: 'me', since: 20 }, page({ nextSince: 30 }))).toEqual({
      nodeId: 'me',
      since: 30,
      acknowledged: 20,
    });
  });

  test('none after the last page, or after a page that does not move forward', () => {
    expect(nextPullInput({ nodeId: 'me', since: 20 }, page({ hasMore: false }))).toBeUndefined();
    expect(nextPullInput({ nodeId: 'me', since: 20 }, page({ nextSince: 20 }))).toBeUndefined();
    expect(nextPullInput({ nodeId: 'me', since: 0, afterKey: 'k' }, page({ nextKey: 'j' }))).toBeUndefined();
    expect(nextPullInput({ nodeId: 'me', since: 0, afterKey: 'k' }, page({ nextKey: null }))).toBeUndefined();
  });
});

describe('samePull', () => {
  test('ignores acknowledged, tells feed from snapshot pulls', () => {
    expect(samePull({ nodeId: 'me', since: 5, acknowledged: 1 }, { nodeId: 'me', since: 5, acknowledged: 4 })).toBe(
      true,
    );
    expect(samePull({ nodeId: 'me', since: 0, afterKey: null }, { nodeId: 'me', since: 0 })).toBe(false);
    expect(samePull({ nodeId: 'me', since: 0, afterKey: 'a' }, { nodeId: 'me', since: 0, afterKey: 'b' })).toBe(false);
    expect(samePull({ nodeId: 'me', since: 5, limit: 9 }, { nodeId: 'me', since: 5, limit: 10 })).toBe(false);
  });
});
