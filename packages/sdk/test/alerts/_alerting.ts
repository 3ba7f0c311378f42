import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { AlertMessage } from '../../src/alerts/alert-message.ts';
import { AlertsSpec, type AlertsSpecInput } from '../../src/alerts/alerts-spec.ts';
import type { AlertChannel } from '../../src/alerts/channel-spec.ts';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Registers a cleanup to run after the current test. */
export function onCleanup(close: () => Promise<void> | void): void {
  closers.push(close);
}

/** A heartbeat receiver on a free port (a stand-in for healthchecks.io) that counts the calls it gets. */
export async function startHeartbeatReceiver(): Promise<{ url: string; calls: () => number }> {
  let calls = 0;
  const server = createServer((_req, res) => {
    calls += 1;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping`, calls: () => calls };
}

/** A real HTTP server on port 0 that records the alerts POSTed to it and answers with `statuses` in turn (then 200). */
export interface AlertReceiver {
  url: string;
  /** Every alert received, including those answered with an error. */
  received: AlertMessage[];
  /** The alerts answered 2xx. */
  accepted: AlertMessage[];
  /** The next answers' statuses, in order; afterwards 200. */
  statuses: number[];
}

export async function startAlertReceiver(): Promise<AlertReceiver> {
  const receiver: AlertReceiver = { url: '', received: [], accepted: [], statuses: [] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AlertMessage;
      receiver.received.push(message);
      const status = receiver.statuses.shift() ?? 200;
      if (status < 300) receiver.accepted.push(message);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return receiver;
}

/** A channel that POSTs each alert as JSON; a 5xx is retryable, any other error status is not. */
export function testChannel(name: string, url: string): AlertChannel {
  return {
    name,
    type: 'webhook',
    async send(message, options = {}) {
      const signals = [AbortSignal.timeout(options.timeoutMs ?? 10_000), ...(options.signal ? [options.signal] : [])];
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
        signal: AbortSignal.any(signals),
      });
      await response.body?.cancel();
      if (!response.ok) {
        throw Object.assign(new Error(`answered ${response.status}`), {
          name: 'ChannelError',
          code: 'http_error',
          retryable: response.status >= 500,
        });
      }
    },
  };
}

/** An alerts block, with the schema's defaults. */
export function alertsSpec(input: AlertsSpecInput): AlertsSpec {
  return AlertsSpec.parse(input);
}

let dir: string | undefined;
let files = 0;

/** A fresh database path in a temp directory removed when the test process exits. */
export function freshDbPath(name = 'alerts'): string {
  if (!dir) {
    const created = mkdtempSync(join(tmpdir(), 'fleet-alerts-'));
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
    dir = created;
  }
  files += 1;
  return join(dir, `${name}-${files}.db`);
}

/** 2025-01-01T12:00:00.000Z */
export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/** A clock the test moves by hand. */
export function testClock(start = T0) {
  const clock = {
    ms: start,
    now: () => clock.ms,
    advance: (ms: number) => {
      clock.ms += ms;
    },
  };
  return clock;
}

/** A `down` alert named `id` about target `api` on host `a`, at {@link T0}: what the outbox tests queue. */
export function downMessage(id: string): AlertMessage {
  return {
    id,
    kind: 'down',
    severity: 'critical',
    title: `[fleet] ${id} is DOWN on a`,
    text: 'Targets: api',
    targets: ['api'],
    at: new Date(T0).toISOString(),
  };
}
