import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BusClient, ERROR_STATUS, ErrorCode, isFleetHttpError } from '../../src/index.ts';
import { errorCodeStatus, HttpError } from '../../src/server/index.ts';
import { toHttpError } from '../../src/server/internal/respond.ts';

// The code <-> status table is written once (ERROR_STATUS); the server answers with it and the
// client reads answers with it. Answers without a Fleet envelope (a proxy, another server) get the
// code their status stands for.

let plain: Server;
let url: string;
/** The status the plain server answers the next request with, without a Fleet envelope. */
let nextStatus = 500;
/** When set, the next answer is a Fleet envelope with this code (one a newer server may send). */
let nextCode: string | undefined;

beforeAll(async () => {
  plain = createServer((request, response) => {
    request.resume();
    if (nextCode !== undefined) {
      const envelope = { error: { code: nextCode, message: 'over quota', details: { limit: 10 } } };
      response.writeHead(nextStatus, { 'content-type': 'application/json' }).end(JSON.stringify(envelope));
      return;
    }
    response.writeHead(nextStatus, { 'content-type': 'text/plain' }).end('upstream said no');
  });
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => plain.close(resolve)));

describe('error codes', () => {
  test('every code has its status in the one table, and HttpError answers with it', () => {
    expect(Object.keys(ERROR_STATUS).sort()).toEqual([...ErrorCode.options].sort());
    expect(errorCodeStatus).toBe(ERROR_STATUS);
    for (const code of ErrorCode.options) expect(new HttpError(code, 'x').status).toBe(ERROR_STATUS[code]);
  });

  test('a FleetError whose code this SDK does not know (from a newer SDK) answers 500, never 200', () => {
    const logged: unknown[] = [];
    const logger = { info: () => {}, warn: (...args: unknown[]) => logged.push(args), error: () => {} };
    const foreign = Object.assign(new Error('over quota'), { name: 'FleetError', code: 'quota_exceeded' });
    const error = toHttpError(foreign, logger, 'test');
    expect(error.status).toBe(500);
    expect(error.toJSON()).toEqual({ error: { code: 'quota_exceeded', message: 'over quota' } });
    expect(logged).toHaveLength(1);
  });

  test("an envelope with a code this SDK does not know keeps the server's code beside the status's", async () => {
    nextStatus = 429;
    nextCode = 'quota_exceeded';
    try {
      const error = await new BusClient({ url, timeoutMs: 5_000, retry: 0 }).stats().catch((caught: unknown) => caught);
      expect(error).toMatchObject({
        status: 429,
        code: 'unavailable',
        serverCode: 'quota_exceeded',
        message: 'over quota',
        details: { limit: 10 },
      });
    } finally {
      nextCode = undefined;
    }
  });

  test.each([
    [404, 'route_not_found'],
    [400, 'validation_failed'],
    [401, 'unauthorized'],
    [403, 'unauthorized'],
    [410, 'validation_failed'],
    [413, 'payload_too_large'],
    [429, 'unavailable'],
    [500, 'internal'],
    [502, 'unavailable'],
    [503, 'unavailable'],
  ])('an answer %i without an envelope is %s for the client', async (status, code) => {
    nextStatus = status;
    const bus = new BusClient({ url, timeoutMs: 5_000, retry: 0 });
    const error = await bus.stats().catch((caught: unknown) => caught);
    expect(isFleetHttpError(error)).toBe(true);
    expect(error).toMatchObject({ status, code, message: expect.stringContaining('upstream said no') });
  });
});
