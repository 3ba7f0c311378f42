import type { FleetStatus } from '@fleet/sdk';
import { describe, expect, test } from 'vitest';
import { etagMatches, StatusCache } from '../src/status-cache.ts';

/** A cache over a builder that counts its builds, on a clock the test moves. */
function cacheOf(minIntervalMs: number) {
  let builds = 0;
  let ms = 0;
  const cache = new StatusCache(
    () => {
      builds += 1;
      return { generatedAt: new Date(ms).toISOString() } as FleetStatus;
    },
    { minIntervalMs, now: () => ms },
  );
  return {
    cache,
    builds: () => builds,
    advance: (by: number) => {
      ms += by;
    },
  };
}

describe('StatusCache', () => {
  test('builds once, then serves the same build until something changed', () => {
    const { cache, builds } = cacheOf(100);
    const first = cache.get();
    expect(first).toMatchObject({ version: 1, json: '{"generatedAt":"1970-01-01T00:00:00.000Z"}' });
    expect(cache.get()).toBe(first);
    expect(builds()).toBe(1);
  });

  test('a change is rebuilt at the first read once minIntervalMs passed since the last build, with a new ETag', () => {
    const { cache, builds, advance } = cacheOf(100);
    const first = cache.get();
    cache.invalidate();
    advance(99);
    expect(cache.get()).toBe(first);
    expect(cache.dirty).toBe(true);
    advance(1);
    const second = cache.get();
    expect(second.version).toBe(2);
    expect(second.etag).not.toBe(first.etag);
    expect(cache.dirty).toBe(false);
    // Many changes, one build.
    for (let i = 0; i < 50; i++) cache.invalidate();
    advance(100);
    cache.get();
    cache.get();
    expect(builds()).toBe(3);
  });

  test('fresh skips the rate limit but still builds only after a change', () => {
    const { cache, builds } = cacheOf(1000);
    cache.get();
    expect(cache.get(true).version).toBe(1);
    cache.invalidate();
    expect(cache.get(true).version).toBe(2);
    expect(builds()).toBe(2);
  });

  test('ETags of two caches (two server runs) never collide', () => {
    expect(cacheOf(0).cache.get().etag).not.toBe(cacheOf(0).cache.get().etag);
  });
});

describe('etagMatches', () => {
  test.each([
    ['"a-1"', true],
    ['W/"a-1"', true],
    ['"b-2", "a-1"', true],
    ['*', true],
    ['"a-2"', false],
    ['a-1', false],
    [null, false],
  ])('If-None-Match %s against "a-1": %s', (header, expected) => {
    expect(etagMatches(header, '"a-1"')).toBe(expected);
  });
});
