import { describe, expect, test } from 'vitest';
import { isFleetError } from '../../src/errors.ts';
import {
  compareVersions,
  formatHlc,
  type HlcTimestamp,
  HybridLogicalClock,
  MAX_HLC_COUNTER,
  parseHlc,
} from '../../src/knowledge/hlc.ts';
import { Hlc } from '../../src/schemas/fact.ts';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/** A clock whose physical time the test sets. */
function manualClock(maxSkewMs?: number) {
  const physical = { now: T0 };
  const clock = new HybridLogicalClock(() => physical.now, maxSkewMs);
  return { physical, clock };
}

const after = (a: HlcTimestamp, b: HlcTimestamp) => formatHlc(a) > formatHlc(b);

describe('HybridLogicalClock', () => {
  test('follows the physical clock while it advances, with counter 0', () => {
    const { physical, clock } = manualClock();
    expect(clock.now()).toEqual({ ms: T0, counter: 0 });
    physical.now = T0 + 5;
    expect(clock.now()).toEqual({ ms: T0 + 5, counter: 0 });
  });

  test('equal physical times increment the counter', () => {
    const { clock } = manualClock();
    expect([clock.now(), clock.now(), clock.now()]).toEqual([
      { ms: T0, counter: 0 },
      { ms: T0, counter: 1 },
      { ms: T0, counter: 2 },
    ]);
  });

  test('a physical clock going backwards keeps the last ms and counts on', () => {
    const { physical, clock } = manualClock();
    physical.now = T0 + 1000;
    const before = clock.now();
    physical.now = T0;
    const next = clock.now();
    expect(next).toEqual({ ms: T0 + 1000, counter: 1 });
    expect(after(next, before)).toBe(true);
    physical.now = T0 + 1001;
    expect(clock.now()).toEqual({ ms: T0 + 1001, counter: 0 });
  });

  test('timestamps strictly increase across interleaved sends and receives', () => {
    const { physical, clock } = manualClock();
    const seen: HlcTimestamp[] = [];
    const steps = [0, 0, -3, 2, 2, -50, 10, 10, 10];
    for (const [index, delta] of steps.entries()) {
      physical.now += delta;
      seen.push(index % 3 === 1 ? clock.update({ ms: physical.now + 7, counter: index }) : clock.now());
    }
    for (let i = 1; i < seen.length; i++) expect(after(seen[i]!, seen[i - 1]!)).toBe(true);
  });

  test('a remote timestamp ahead within the skew bound is adopted and exceeded', () => {
    const { clock } = manualClock(60_000);
    const remote = { ms: T0 + 30_000, counter: 7 };
    expect(clock.update(remote)).toEqual({ ms: T0 + 30_000, counter: 8 });
    expect(clock.now()).toEqual({ ms: T0 + 30_000, counter: 9 });
  });

  test('a remote timestamp exactly at the skew bound is still accepted', () => {
    const { clock } = manualClock(60_000);
    expect(clock.update({ ms: T0 + 60_000, counter: 0 })).toEqual({ ms: T0 + 60_000, counter: 1 });
  });

  test('a remote timestamp beyond the skew bound throws clock_skew and leaves the clock unchanged', () => {
    const { clock } = manualClock(60_000);
    clock.now();
    const before = clock.last;
    let caught: unknown;
    try {
      clock.update({ ms: T0 + 60_001, counter: 0 });
    } catch (error) {
      caught = error;
    }
    expect(isFleetError(caught) && caught.code).toBe('clock_skew');
    expect(isFleetError(caught) && caught.details).toMatchObject({
      field: 'version',
      maxSkewMs: 60_000,
      aheadMs: 60_001,
    });
    expect(clock.last).toEqual(before);
    expect(clock.now()).toEqual({ ms: T0, counter: 1 });
  });

  test('a remote timestamp behind the local one still advances the counter', () => {
    const { physical, clock } = manualClock();
    physical.now = T0 + 100;
    clock.now();
    expect(clock.update({ ms: T0, counter: 50 })).toEqual({ ms: T0 + 100, counter: 1 });
  });

  test('equal local and remote ms take the larger counter plus one', () => {
    const { clock } = manualClock();
    clock.now();
    clock.now();
    expect(clock.update({ ms: T0, counter: 10 })).toEqual({ ms: T0, counter: 11 });
    expect(clock.update({ ms: T0, counter: 3 })).toEqual({ ms: T0, counter: 12 });
  });

  test('a physical clock ahead of both resets the counter', () => {
    const { physical, clock } = manualClock();
    clock.update({ ms: T0 - 10, counter: 99 });
    physical.now = T0 + 1;
    expect(clock.update({ ms: T0, counter: 5 })).toEqual({ ms: T0 + 1, counter: 0 });
  });

  test('counter overflow borrows the next millisecond', () => {
    const physical = T0;
    const clock = new HybridLogicalClock(() => physical, 60_000, { ms: T0, counter: MAX_HLC_COUNTER - 1 });
    expect(clock.now()).toEqual({ ms: T0, counter: MAX_HLC_COUNTER });
    expect(clock.now()).toEqual({ ms: T0 + 1, counter: 0 });
    expect(clock.update({ ms: T0 + 1, counter: MAX_HLC_COUNTER })).toEqual({ ms: T0 + 2, counter: 0 });
  });

  test('starts after the timestamp it is seeded with', () => {
    const clock = new HybridLogicalClock(() => T0, 60_000, { ms: T0 + 500, counter: 3 });
    expect(clock.now()).toEqual({ ms: T0 + 500, counter: 4 });
  });
});

describe('HLC text form', () => {
  test('formats as 15 digits, dash, 5 digits that the Hlc schema accepts, and parses back', () => {
    const text = formatHlc({ ms: T0, counter: 42 });
    expect(text).toBe(`${String(T0).padStart(15, '0')}-00042`);
    expect(Hlc.safeParse(text).success).toBe(true);
    expect(parseHlc(text)).toEqual({ ms: T0, counter: 42 });
  });

  test('text order equals clock order', () => {
    const stamps: HlcTimestamp[] = [
      { ms: 0, counter: 0 },
      { ms: 9, counter: 99_999 },
      { ms: 10, counter: 0 },
      { ms: 10, counter: 2 },
      { ms: 10, counter: 10 },
      { ms: 99, counter: 1 },
      { ms: T0, counter: 0 },
      { ms: T0 + 1, counter: 0 },
      { ms: 999_999_999_999_999, counter: 99_999 },
    ];
    const byClock = [...stamps].sort((a, b) => a.ms - b.ms || a.counter - b.counter).map(formatHlc);
    const byText = stamps.map(formatHlc).sort();
    expect(byText).toEqual(byClock);
  });

  test('parseHlc rejects malformed text with validation_failed naming the field', () => {
    for (const bad of ['', '1-1', '001764067200123-0000', '001764067200123_00000', 'x01764067200123-00000']) {
      let caught: unknown;
      try {
        parseHlc(bad, 'changes.2.version');
      } catch (error) {
        caught = error;
      }
      expect(isFleetError(caught) && caught.code).toBe('validation_failed');
      expect(JSON.stringify(isFleetError(caught) && caught.details)).toContain('changes.2.version');
    }
  });

  test('formatHlc refuses values the text form cannot hold', () => {
    expect(() => formatHlc({ ms: -1, counter: 0 })).toThrow(RangeError);
    expect(() => formatHlc({ ms: 1, counter: MAX_HLC_COUNTER + 1 })).toThrow(RangeError);
    expect(() => formatHlc({ ms: 1.5, counter: 0 })).toThrow(RangeError);
  });
});

describe('compareVersions', () => {
  const v1 = formatHlc({ ms: T0, counter: 0 });
  const v2 = formatHlc({ ms: T0, counter: 1 });

  test('orders by version first, whatever the source', () => {
    expect(compareVersions({ version: v2, source: 'a' }, { version: v1, source: 'z' })).toBeGreaterThan(0);
    expect(compareVersions({ version: v1, source: 'z' }, { version: v2, source: 'a' })).toBeLessThan(0);
  });

  test('breaks a version tie by source', () => {
    expect(compareVersions({ version: v1, source: 'b' }, { version: v1, source: 'a' })).toBeGreaterThan(0);
    expect(compareVersions({ version: v1, source: 'a' }, { version: v1, source: 'b' })).toBeLessThan(0);
  });

  test('a tombstone beats a live state with the same version and source; identical states are equal', () => {
    expect(compareVersions({ version: v1, source: 'a', deleted: true }, { version: v1, source: 'a' })).toBeGreaterThan(
      0,
    );
    expect(compareVersions({ version: v1, source: 'a' }, { version: v1, source: 'a', deleted: true })).toBeLessThan(0);
    expect(compareVersions({ version: v1, source: 'a' }, { version: v1, source: 'a', deleted: false })).toBe(0);
  });
});
