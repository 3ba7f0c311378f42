import { expect, test } from 'vitest';
import { formatBacklog } from '../../src/cli/index.ts';

test('formatBacklog: one row per recipient in schema order, ages in seconds, a totals row', () => {
  const lines = formatBacklog({
    recipients: [
      { agent: 'coder', ready: 12, inFlight: 1, delayed: 0, dead: 2, oldestReadyAgeSeconds: 3.04 },
      { agent: 'planner', ready: 0, inFlight: 0, delayed: 4, dead: 0, oldestReadyAgeSeconds: null },
    ],
    totals: { ready: 12, inFlight: 1, delayed: 4, dead: 2 },
  });
  expect(lines).toMatchInlineSnapshot(`
    [
      "AGENT    READY  IN-FLIGHT  DELAYED  DEAD  OLDEST READY",
      "coder    12     1          0        2     3.0 s",
      "planner  0      0          4        0     -",
      "total    12     1          4        2",
    ]
  `);
});

test('formatBacklog: an empty backlog is one line', () => {
  expect(formatBacklog({ recipients: [], totals: { ready: 0, inFlight: 0, delayed: 0, dead: 0 } })).toEqual([
    'no messages',
  ]);
});
