import { afterEach, describe, expect, test } from 'vitest';
import { openMessageStore } from '../src/bus/open-store.ts';
import { PgListenConnection } from '../src/bus/postgres/listen-connection.ts';
import { PostgresMessageStore } from '../src/bus/postgres-store.ts';
import { assertPostgresUrl } from '../src/internal/pg-url.ts';

// None of these reach a database: a URL pg cannot read is refused before anything connects.

const PASSWORD = 'hun#ter2';

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
  throw new Error('expected a throw');
}

describe('PostgreSQL URL checked up front', () => {
  test('a raw # in the password is refused by openMessageStore, without the password, saying to percent-encode', () => {
    const message = messageOf(() => openMessageStore(`postgres://u:${PASSWORD}@127.0.0.1:1/db`));
    expect(message).toBe(
      "invalid PostgreSQL URL postgres://***@127.0.0.1:1/db: a '#', '/' or '?' in the user name or password ends its host part early: percent-encode special characters of the user name and password (# as %23, / as %2F, ? as %3F, @ as %40)",
    );
    expect(message).not.toContain('ter2');
  });

  test('the store constructor refuses a port that is not a number, naming host and port', () => {
    const message = messageOf(() => new PostgresMessageStore({ url: 'postgres://u:s3cret@127.0.0.1:notaport/db' }));
    expect(message).toMatch(
      /^invalid PostgreSQL URL postgres:\/\/\*\*\*@127\.0\.0\.1:notaport\/db: check its host and port/,
    );
    expect(message).not.toContain('s3cret');
  });

  test.each([
    ['a raw / in the password', 'postgres://u:pa/ss@db/fleet', 'pa/ss'],
    ['a raw ? in the password', 'postgres://u:pa?ss@db/fleet', 'pa?ss'],
    // These parse, but with the host `u` and port 12: pg would connect elsewhere.
    ['a raw # after digits', 'postgres://u:12#ss@db/fleet', '12#ss'],
    ['a raw / after digits', 'postgres://u:12/ss@db/fleet', '12/ss'],
    ['a raw ? after digits', 'postgres://u:12?ss@db/fleet', '12?ss'],
  ])('%s is refused without the password', (_, url, password) => {
    const message = messageOf(() => assertPostgresUrl(url));
    expect(message).toMatch(/^invalid PostgreSQL URL postgres:\/\/\*\*\*@db\/fleet: .*ends its host part early/);
    expect(message).not.toContain(password);
  });

  test('a query (which may carry a password) is not shown', () => {
    const message = messageOf(() => assertPostgresUrl('postgres://db:notaport/fleet?password=s3cret'));
    expect(message).toMatch(/^invalid PostgreSQL URL postgres:\/\/db:notaport\/fleet\?\*\*\*: /);
  });

  test.each([
    'postgres://fleet:hun%23ter2@127.0.0.1:5432/fleet',
    'postgresql://fleet@[::1]:5432/fleet?options=-c%20search_path%3Dbus',
    'postgres://fleet:pw@/fleet',
    'postgres:///fleet',
    'postgres://db/fleet?user=fleet@tenant',
    '/var/run/postgresql fleet',
  ])('a URL pg reads is accepted (%s)', (url) => {
    expect(() => assertPostgresUrl(url)).not.toThrow();
  });
});

describe('the LISTEN connection', () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  afterEach(() => {
    process.off('unhandledRejection', onRejection);
  });

  test('a URL pg cannot read is retried like a lost connection, never an unhandled rejection', async () => {
    process.on('unhandledRejection', onRejection);
    const connection = new PgListenConnection({
      url: `postgres://u:${PASSWORD}@127.0.0.1:1/db`,
      onNotification: () => undefined,
      onListening: () => undefined,
    });
    connection.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await connection.close();
    expect(rejections).toEqual([]);
    expect(connection.listening).toBe(false);
  });
});
