import type { ServerResponse } from 'node:http';
import { expect, test } from 'vitest';
import { createHttpClient, FleetConnectionError, SseParser, streamRoute } from '../../src/index.ts';
import { toyRoutes } from '../server/_toy.ts';
import { rejectionOf, started } from './_host.ts';

// An event stream's events are parsed in one pass over each chunk, however long a line runs, and
// one event may not grow past the client's maxResponseBytes.

const MiB = 1024 * 1024;

/** Writes `text` in 16 KiB pieces, minding back-pressure, then calls `done`. */
function writeInPieces(res: ServerResponse, text: string, done: () => void): void {
  let at = 0;
  const pump = () => {
    while (at < text.length && !res.destroyed) {
      const piece = text.slice(at, at + 16 * 1024);
      at += piece.length;
      if (!res.write(piece)) return void res.once('drain', pump);
    }
    if (!res.destroyed) done();
  };
  pump();
}

function eventStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
}

async function collect(url: string, maxResponseBytes?: number): Promise<unknown[]> {
  const http = createHttpClient({ baseUrl: url, retry: 0, ...(maxResponseBytes ? { maxResponseBytes } : {}) });
  const seen: unknown[] = [];
  for await (const event of streamRoute(http, toyRoutes.stream, { query: { count: 0 } }, { idleTimeoutMs: 0 })) {
    seen.push(event);
  }
  return seen;
}

test('a 4 MiB data line sent in 16 KiB pieces arrives as one event, and the next one after it', async () => {
  const pad = 'a'.repeat(4 * MiB);
  const server = await started((res) => {
    eventStream(res);
    writeInPieces(res, `data: {"n":1,"pad":"${pad}"}\n\ndata: {"n":2}\n\n`, () => res.end());
  });
  expect(await collect(server.url)).toEqual([{ n: 1 }, { n: 2 }]);
});

test('an event longer than maxResponseBytes fails the stream with a FleetConnectionError naming the limit', async () => {
  const server = await started((res) => {
    eventStream(res);
    // A line without end, then silence.
    writeInPieces(res, `data: ${'a'.repeat(4 * MiB)}`, () => undefined);
  });
  const error = await rejectionOf(collect(server.url, MiB));
  expect(error).toBeInstanceOf(FleetConnectionError);
  expect((error as FleetConnectionError).reason).toBe(`event larger than ${MiB} characters (maxResponseBytes)`);
  await server.closedByClient;
});

test('many short data lines of one event count toward the limit too', async () => {
  const server = await started((res) => {
    eventStream(res);
    writeInPieces(res, `data: ${'a'.repeat(1000)}\n`.repeat(2000), () => undefined);
  });
  const error = await rejectionOf(collect(server.url, MiB));
  expect((error as FleetConnectionError).reason).toBe(`event larger than ${MiB} characters (maxResponseBytes)`);
});

test('SseParser: an event of exactly maxEventLength characters of data passes, one more throws a RangeError', () => {
  const parser = new SseParser({ maxEventLength: 10 });
  expect(parser.push('data: 01234\ndata: 5678\n\n')).toEqual([{ event: 'message', data: '01234\n5678', id: '' }]);
  expect(() => parser.push('data: 0123456789a')).toThrow(RangeError);
});

test('SseParser: a line split over many chunks, and over a CRLF, parses as one', () => {
  const parser = new SseParser();
  const events = [parser.push('data: '), ...Array.from({ length: 1000 }, () => parser.push('xy')), parser.push('\r')];
  events.push(parser.push('\n\r\n'));
  expect(events.flat()).toEqual([{ event: 'message', data: 'xy'.repeat(1000), id: '' }]);
});
