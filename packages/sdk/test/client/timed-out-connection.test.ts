import { expect, test } from 'vitest';
import { BusClient, FleetConnectionError, KnowledgeClient } from '../../src/index.ts';
import { rejectionOf } from './_host.ts';
import { startHungPeer } from './_hung-peer.ts';

// A call given up at its timeout, or aborted by its caller, must close its connection: a peer that
// accepts and never answers would otherwise keep one file descriptor per attempt until EMFILE.
// The hung peer reads what it is sent, so it sees the client's FIN; each wait below ends when the
// client has closed every connection that carried a request (a leak fails the test at its timeout).

test('timed-out GETs close their connections, retries included', { timeout: 15_000 }, async () => {
  const hung = await startHungPeer();
  const client = new KnowledgeClient({ url: hung.url, timeoutMs: 200, retry: 2 });
  for (let i = 0; i < 3; i++) {
    const error = await rejectionOf(client.get('k'));
    expect(error).toBeInstanceOf(FleetConnectionError);
    expect((error as FleetConnectionError).reason).toBe('no answer within 200 ms');
  }
  await hung.requestsClosed(3);
  expect(hung.openRequests).toBe(0);
});

test('a timed-out POST with a body closes its connection', { timeout: 15_000 }, async () => {
  const hung = await startHungPeer();
  const client = new KnowledgeClient({ url: hung.url, timeoutMs: 200, retry: 0 });
  const error = await rejectionOf(client.pullText({ nodeId: 'x', since: 0 }));
  expect(error).toBeInstanceOf(FleetConnectionError);
  await hung.requestsClosed(1);
});

test('a call its caller aborts closes its connection', { timeout: 15_000 }, async () => {
  const hung = await startHungPeer();
  const controller = new AbortController();
  const pending = rejectionOf(new BusClient({ url: hung.url, timeoutMs: 0, retry: 0 }).stats(controller));
  await hung.received(1);
  controller.abort(new Error('not needed any more'));
  expect(await pending).toEqual(new Error('not needed any more'));
  await hung.requestsClosed(1);
});

test('a user-supplied fetch that passes the signal on gets its connection closed too', {
  timeout: 15_000,
}, async () => {
  const hung = await startHungPeer();
  let calls = 0;
  const wrapped = (input: Request | URL | string, init?: RequestInit) => {
    calls += 1;
    return globalThis.fetch(input, init);
  };
  const client = new BusClient({ url: hung.url, timeoutMs: 200, retry: 0, fetch: wrapped });
  for (let i = 0; i < 2; i++) expect(await rejectionOf(client.stats())).toBeInstanceOf(FleetConnectionError);
  expect(calls).toBe(2);
  await hung.requestsClosed(2);
});
