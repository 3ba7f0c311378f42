import { closedPort } from '@fleet/test-utils/closed-port';
import { runCli } from '@fleet/test-utils/run-cli';
import { FLEET_BUS_BIN, spawnBus } from '@fleet/test-utils/spawn-bus';
import { describe, expect, test } from 'vitest';
import { expandEnvRefs, redactingLogger, secretsOf } from '../src/internal/database-url.ts';

/** `${NAME}`, the form `--db` expands (a plain string with it reads like a template mistake). */
const ref = (name: string) => `$\{${name}}`;

describe('a database URL on the command line', () => {
  test('a NAME reference reads the environment variable; an unset one is named, without the URL', () => {
    expect(expandEnvRefs(`postgres://bus:${ref('PW')}@db/${ref('DB')}`, { PW: 's3cr/t', DB: 'fleet' })).toBe(
      'postgres://bus:s3cr/t@db/fleet',
    );
    expect(() => expandEnvRefs(`postgres://bus:${ref('MISSING')}@db/fleet`, {})).toThrow(
      /^--db refers to \$\{MISSING\}, which is not set$/,
    );
    expect(expandEnvRefs('./fleet-bus.db', {})).toBe('./fleet-bus.db');
  });

  test('the password, as written and percent-decoded, is blanked out of every log argument', () => {
    const url = 'postgres://bus:p%40ss%2Fword@db.internal:5432/fleet';
    expect(secretsOf(url)).toEqual(['p%40ss%2Fword', 'p@ss/word']);
    expect(secretsOf('postgres://bus@db/fleet')).toEqual([]);
    expect(secretsOf('./p@ss.db')).toEqual([]);
    const lines: string[] = [];
    const sink = (...args: unknown[]) => void lines.push(args.join(' '));
    const logger = redactingLogger({ info: sink, warn: sink, error: sink }, secretsOf(url));
    logger.error('could not open', url, new Error('login p@ss/word refused', { cause: new Error(url) }));
    logger.warn({ url });
    expect(lines.join('\n')).not.toMatch(/p%40ss%2Fword|p@ss\/word/);
    expect(lines[0]).toContain('postgres://bus:***@db.internal:5432/fleet');
    expect(lines[0]).toContain('login *** refused');
  });

  test('fleet-bus server on an unreachable database answers 503 and never shows the password', async () => {
    const password = 'hunter2-never-shown';
    const db = `postgres://bus:\${FLEET_TEST_DB_PASSWORD}@127.0.0.1:${await closedPort()}/fleet`;
    const bus = await spawnBus(['--db', db], { FLEET_TEST_DB_PASSWORD: password });
    try {
      const health = await fetch(`${bus.url}/health`);
      expect(health.status).toBe(503);
      const body = await health.text();
      expect(JSON.parse(body)).toMatchObject({ error: { code: 'unavailable' } });
      const sent = await fetch(`${bus.url}/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: 'a', to: 'b' }),
      });
      expect(sent.status).toBe(503);
      expect(((await sent.json()) as { error: { code: string } }).error.code).toBe('unavailable');
      expect(body).not.toContain(password);
    } finally {
      bus.child.kill('SIGTERM');
      await bus.exited;
    }
    expect(bus.stdout() + bus.stderr()).not.toContain(password);
    expect(bus.stderr()).toContain('health check failed');
  });

  test('FLEET_BUS_DB names the database when --db is not given', async () => {
    const bus = await spawnBus([], { FLEET_BUS_DB: `postgres://bus@127.0.0.1:${await closedPort()}/fleet` });
    try {
      // PostgreSQL, unreachable: the default SQLite file would have answered 200.
      expect((await fetch(`${bus.url}/health`)).status).toBe(503);
    } finally {
      bus.child.kill('SIGTERM');
      await bus.exited;
    }
  });

  test('fleet-bus server with a NAME reference that is not set exits naming it', async () => {
    const result = await runCli(FLEET_BUS_BIN, [
      'server',
      '--port',
      '0',
      '--db',
      `postgres://bus:${ref('NOT_SET_HERE')}@db/x`,
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(ref('NOT_SET_HERE'));
  });
});
