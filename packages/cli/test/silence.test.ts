import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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

  test('--for may be longer than a timer can wait (a silence for 60 days)', async () => {
    const db = join(dir, 'long.db');
    const set = await runFleet([
      'silence',
      '--host',
      'ezra',
      '--from',
      '2030-01-01T00:00:00Z',
      '--for',
      '1440h',
      '--db',
      db,
      '--json',
    ]);
    expect(set).toMatchObject({ code: 0, stderr: '' });
    const outbox = new AlertOutbox({ dbPath: db, channels: {} });
    expect(outbox.silences()).toMatchObject([{ from: '2030-01-01T00:00:00.000Z', until: '2030-03-02T00:00:00.000Z' }]);
    outbox.close();
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
  test('an invalid name is one line naming the field, not a dump of the schema issues (exit 2)', async () => {
    const db = join(dir, 'names.db');
    const run = await runFleet(['silence', '--host=', '--for', '2h', '--db', db]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^fleet: invalid silence: hosts\.0: [^\n]+\n$/);
    expect(run.stderr).not.toContain('"code"');
  });

  test.each([
    [['--from', '1', '--for', '2h'], 'fleet: --from must be an ISO 8601 time such as 2030-01-01T10:00:00Z, got "1"\n'],
    [
      ['--until', 'May 1 2030'],
      'fleet: --until must be an ISO 8601 time such as 2030-01-01T10:00:00Z, got "May 1 2030"\n',
    ],
    [
      ['--until', '2030-05-01'],
      'fleet: --until must be an ISO 8601 time such as 2030-01-01T10:00:00Z, got "2030-05-01"\n',
    ],
  ])('times are ISO 8601 only: %j is a usage error', async (argv, stderr) => {
    const db = join(dir, 'times.db');
    expect(await runFleet(['silence', ...argv, '--db', db])).toEqual({ code: 2, stdout: '', stderr });
  });

  test('a silence that is already over is refused, not stored (exit 2)', async () => {
    const db = join(dir, 'over.db');
    const past = await runFleet(['silence', '--until', '2001-01-01T00:00:00Z', '--db', db]);
    expect(past).toEqual({
      code: 2,
      stdout: '',
      stderr: 'fleet: the silence would be over already: it ends 2001-01-01T00:00:00.000Z\n',
    });
    const window = await runFleet(['silence', '--from', '2001-01-01T00:00:00Z', '--for', '2h', '--db', db]);
    expect(window.code).toBe(2);
    expect(existsSync(db)).toBe(false);
  });

  test.each([
    [['--list', '--remove', '1'], 'fleet: --list does not go with --remove\n'],
    [['--list', '--host', 'ezra', '--for', '2h'], 'fleet: --list does not go with --host\n'],
    [['--remove', '1', '--for', '2h'], 'fleet: --remove does not go with --for\n'],
    [['--target', 'bus', '--for', '2h', '--list'], 'fleet: --list does not go with --target\n'],
  ])('--list, --remove and a new silence go one at a time: %j is a usage error', async (argv, stderr) => {
    const db = join(dir, 'alerts.db');
    expect(await runFleet(['silence', ...argv, '--db', db])).toEqual({ code: 2, stdout: '', stderr });
  });
});
