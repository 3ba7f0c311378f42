import { expect, test } from 'vitest';
import { FleetError } from '../../src/errors.ts';
import { logOutage, OUTAGE_LOG_EVERY_MS } from '../../src/server/internal/outage-log.ts';

test('an outage writes at most one line per interval and per logger, counting the answers it left out', () => {
  const lines: string[] = [];
  const logger = { info: () => {}, warn: (line: string) => lines.push(line), error: () => {} };
  const other: string[] = [];
  const otherLogger = { info: () => {}, warn: (line: string) => other.push(line), error: () => {} };
  const refused = new FleetError('unavailable', 'The message database is unavailable; try again later', {
    cause: new Error('connect ECONNREFUSED 10.0.0.5:5432'),
  });
  const at = 1_000_000;
  logOutage(logger, 'fleet-bus POST /message', refused, at);
  for (let i = 1; i <= 5; i++) logOutage(logger, 'fleet-bus POST /ack', refused, at + i);
  logOutage(otherLogger, 'fleet-knowledge GET /facts', new FleetError('unavailable', 'Closing'), at + 6);
  logOutage(logger, 'fleet-bus POST /receive', refused, at + OUTAGE_LOG_EVERY_MS);
  logOutage(logger, 'fleet-bus POST /receive', refused, at + 2 * OUTAGE_LOG_EVERY_MS);

  expect(lines).toEqual([
    'fleet-bus POST /message failed with unavailable: The message database is unavailable; try again later (connect ECONNREFUSED 10.0.0.5:5432)',
    'fleet-bus POST /receive failed with unavailable: The message database is unavailable; try again later (connect ECONNREFUSED 10.0.0.5:5432); 5 more answered unavailable since the last such line',
    'fleet-bus POST /receive failed with unavailable: The message database is unavailable; try again later (connect ECONNREFUSED 10.0.0.5:5432)',
  ]);
  expect(other).toEqual(['fleet-knowledge GET /facts failed with unavailable: Closing']);
});
