import { describe, expect, test } from 'vitest';
import { toIso } from '../../src/internal/iso-time.ts';

describe('toIso', () => {
  test('matches Date#toISOString for times within a day, across days and far apart', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const base = Date.UTC(2026, 10, 30, 23, 59, 58, 990);
    const samples = [
      0,
      1,
      999,
      1000,
      86_399_999,
      86_400_000,
      base,
      base + 9,
      base + 10,
      base + 1010,
      base + 86_400_000,
    ];
    for (let i = 0; i < 5000; i++) samples.push(Math.floor(base + (random() - 0.5) * 4 * 86_400_000));
    for (let i = 0; i < 500; i++) samples.push(Math.floor(random() * 253_402_300_799_999));
    samples.push(Date.UTC(1969, 11, 31, 23, 59, 59, 999), Date.UTC(2024, 1, 29, 12));
    for (const ms of samples) expect(toIso(ms), String(ms)).toBe(new Date(ms).toISOString());
  });

  test('fractional times are truncated like Date, and an invalid time keeps throwing', () => {
    const base = Date.UTC(2026, 10, 30, 10);
    expect(toIso(base)).toBe('2026-11-30T10:00:00.000Z');
    expect(toIso(base + 1234.5)).toBe(new Date(base + 1234.5).toISOString());
    expect(() => toIso(8.64e15 + 1)).toThrow(RangeError);
    expect(() => toIso(8.64e15 + 1)).toThrow(RangeError);
    expect(() => toIso(Number.NaN)).toThrow(RangeError);
  });
});
