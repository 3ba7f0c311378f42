import { expect, test } from 'vitest';
import { hostScript, INTERNAL_TIMEOUT_MS } from '../../src/deploy/ssh/internal/host-script.ts';
import { sudoWriteLimitMs, WRITE_FLOOR_BYTES_PER_SECOND } from '../../src/deploy/ssh/internal/write-limit.ts';

test('a sudo write may take its fixed allowance plus its size at the floor rate', () => {
  expect(WRITE_FLOOR_BYTES_PER_SECOND).toBe(16 * 1024);
  expect(sudoWriteLimitMs(0, 120_000)).toBe(120_000);
  // 24 MiB: 25 min 36 s at 16 KiB/s, on top of the fixed part.
  expect(sudoWriteLimitMs(24 * 1024 * 1024, 300_000)).toBe(300_000 + 1_536_000);
  // Whole ms, never a fraction `timeout` would be given as a long decimal.
  expect(sudoWriteLimitMs(1, 1_000)).toBe(1_001);
});

test('the host-side limit of a script is the one asked for, in seconds, or the fixed limit of a short command', () => {
  expect(hostScript('true', [], true, 1_836_000)).toBe('sudo -n -- timeout -k 5s 1836s sh -c true sh');
  expect(hostScript('true', [], false, 1_001)).toBe('timeout -k 5s 1.001s sh -c true sh');
  expect(hostScript('true', [], false)).toBe(`timeout -k 5s ${INTERNAL_TIMEOUT_MS / 1000}s sh -c true sh`);
});
