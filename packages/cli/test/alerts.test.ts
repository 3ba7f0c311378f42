import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AlertChannel, AlertDelivery, type AlertMessage, AlertOutbox } from '@fleet/sdk/fleet';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runFleet } from './_fleet.ts';

let dir: string;
let dbPath: string;
const statuses = [200, 400];

function message(id: string, title: string): AlertMessage {
  return { id, kind: 'down', severity: 'critical', title, text: '', targets: ['api'], at: '2026-12-05T16:00:00.000Z' };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fleet-cli-alerts-'));
  dbPath = join(dir, 'alerts.db');
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(statuses.shift() ?? 200);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const channel: AlertChannel = {
    name: 'ops',
    type: 'webhook',
    async send(alert) {
      const response = await fetch(url, { method: 'POST', body: JSON.stringify(alert) });
      if (!response.ok) throw Object.assign(new Error(`answered ${response.status}`), { retryable: false });
    },
  };
  const outbox = new AlertOutbox({ dbPath, channels: { ops: channel } });
  outbox.enqueue(message('a1', '[fleet] api is DOWN on vps1'), ['ops']);
  await outbox.deliverDue();
  outbox.enqueue(message('a2', '[fleet] web is DOWN on vps1'), ['ops']);
  await outbox.deliverDue();
  outbox.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fleet alerts', () => {
  test('--json lists the sent and failed alerts of the outbox, newest first', async () => {
    const run = await runFleet(['alerts', '--db', dbPath, '--json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const deliveries = AlertDelivery.array().parse(JSON.parse(run.stdout));
    expect(deliveries.map((d) => `${d.status} ${d.message.id} ${d.error}`)).toEqual([
      'failed a2 answered 400',
      'sent a1 null',
    ]);
  });

  test('as a table, one line per delivery', async () => {
    const run = await runFleet(['alerts', '--db', dbPath, '--limit', '1']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^AT\s+STATUS\s+CHANNEL\s+KIND\s+TITLE\s+ATTEMPTS$/);
    expect(lines[1]).toMatch(/failed\s+ops\s+down\s+\[fleet\] web is DOWN on vps1\s+1 attempt: answered 400$/);
  });

  test('a missing outbox file is a usage error, and nothing is created', async () => {
    const missing = join(dir, 'none.db');
    const run = await runFleet(['alerts', '--db', missing]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`no alert outbox at ${missing}`);
    expect(existsSync(missing)).toBe(false);
  });
});
