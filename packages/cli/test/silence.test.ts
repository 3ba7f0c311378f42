import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertOutbox } from '@fleet/sdk/fleet';
import { afterAll, describe, expect, test } from 'vitest';
import { runFleet } from './_fleet.ts';

const dir = mkdtempSync(join(tmpdir(), 'fleet-cli-silence-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fleet silence', () => {
  test('sets a silence the alerting process reads from its outbox, lists it and removes it', async () => {
    const db = join(dir, 'alerts.db');
    const set = await runFleet([
      'silence',
      '--host',
      'ezra',
      '--host',
      'bezalel',
      '--target',
      'bus',
      '--from',
      '2030-01-01T10:00:00Z',
      '--for',
      '2h',
      '--reason',
      'kernel update',
      '--db',
      db,
      '--json',
    ]);
    expect(set).toMatchObject({ code: 0, stderr: '' });
    const { id } = JSON.parse(set.stdout) as { id: number };

    const outbox = new AlertOutbox({ dbPath: db, channels: {} });
    expect(outbox.silences()).toEqual([
      {
        id,
        targets: ['bus'],
        hosts: ['ezra', 'bezalel'],
        from: '2030-01-01T10:00:00.000Z',
        until: '2030-01-01T12:00:00.000Z',
        reason: 'kernel update',
      },
    ]);
    outbox.close();

    const list = await runFleet(['silence', '--list', '--db', db]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/target bus, host ezra, host bezalel\s+kernel update/);

    expect(await runFleet(['silence', '--remove', String(id), '--db', db])).toMatchObject({
      code: 0,
      stdout: `removed silence ${id}\n`,
    });
    expect((await runFleet(['silence', '--list', '--db', db])).stdout).toBe('no silences\n');
  });

  test('needs exactly one of --for and --until, and an end after the start', async () => {
    const db = join(dir, 'bad.db');
    const neither = await runFleet(['silence', '--host', 'ezra', '--db', db]);
    expect(neither.code).not.toBe(0);
    expect(neither.stderr).toContain('give either --for or --until');
    const backwards = await runFleet([
      'silence',
      '--from',
      '2030-01-01T10:00:00Z',
      '--until',
      '2030-01-01T09:00:00Z',
      '--db',
      db,
    ]);
    expect(backwards.stderr).toContain('the silence must end after it starts');
  });
});
