import { createRequire } from 'node:module';
import { hasPostgres } from '@fleet/test-utils/postgres';
import type Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { MessageStore, MessageStoreOptions } from '../src/bus/message-store.ts';
import { PostgresMessageStore } from '../src/bus/postgres-store.ts';
import { SqliteMessageStore } from '../src/bus/sqlite-store.ts';
import { SendInput, type SendInputInit } from '../src/schemas/message.ts';
import { freshDatabasePath, freshPostgresUrl, storeFactories } from './_stores.ts';

// Which agents a broadcast (`to: "*"`) reaches: those seen within `agentRetentionSeconds`; the
// sweep forgets the others. Part of the behaviour every backend shares (message-store.test.ts).

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const HOUR = 3600;
const DAY = 24 * HOUR;

const send = (store: MessageStore, init: SendInputInit) => store.send(SendInput.parse(init));
/** The recipients of a broadcast from `from`, sorted. */
const broadcastFrom = async (store: MessageStore, from: string) =>
  (await send(store, { from, to: '*' })).messages.map((m) => m.to).sort();

describe.each(storeFactories)('%s MessageStore agent retention', (_name, create) => {
  let now: number;
  let stores: MessageStore[];

  const advance = (seconds: number) => {
    now += seconds * 1000;
  };
  async function open(options: MessageStoreOptions = {}): Promise<MessageStore> {
    const created = await create({ now: () => now, random: () => 0.5, ...options });
    stores.push(created);
    return created;
  }

  beforeEach(() => {
    now = T0;
    stores = [];
  });
  afterEach(async () => {
    for (const s of stores) await s.close();
  });

  test('a broadcast skips an agent unseen for longer than the retention and reaches one seen within it', async () => {
    const store = await open({ agentRetentionSeconds: HOUR });
    await store.lease({ agent: 'job-old', limit: 1, leaseSeconds: 30 });
    await store.poll('job-recent', 1);
    advance(2000);
    await store.poll('job-recent', 1);
    advance(HOUR - 2000 + 1);

    expect(await broadcastFrom(store, 'ops')).toEqual(['job-recent']);
  });

  test('every way of being seen counts: sending, being sent to, subscribing, leasing and polling', async () => {
    const store = await open({ agentRetentionSeconds: HOUR });
    for (const agent of ['sender', 'recipient', 'subscriber', 'leaser', 'poller']) {
      await store.lease({ agent, limit: 1, leaseSeconds: 30 });
    }
    advance(HOUR - 60);
    await send(store, { from: 'sender', to: 'recipient' });
    await store.subscribe('subscriber', 'news');
    await store.lease({ agent: 'leaser', limit: 1, leaseSeconds: 30 });
    await store.poll('poller', 1);
    await store.poll('idle', 1);
    advance(HOUR - 60);
    await store.poll('idle', 1);

    expect(await broadcastFrom(store, 'idle')).toEqual(['leaser', 'poller', 'recipient', 'sender', 'subscriber']);
  });

  test('an agent that receives every 45 seconds stays known however long it runs', async () => {
    const store = await open({ agentRetentionSeconds: 600 });
    for (let elapsed = 0; elapsed <= 1800; elapsed += 45) {
      await store.lease({ agent: 'steady', limit: 1, leaseSeconds: 30 });
      advance(45);
    }

    expect(await broadcastFrom(store, 'ops')).toEqual(['steady']);
  });

  test('by default an agent is forgotten after 7 days unseen', async () => {
    const store = await open();
    await store.poll('job-week-old', 1);
    await store.poll('job-day-old', 1);
    advance(6 * DAY);
    await store.poll('job-day-old', 1);
    advance(DAY + 1);

    expect(await broadcastFrom(store, 'ops')).toEqual(['job-day-old']);
  });

  test('a forgotten agent keeps its queued messages and is known again once it receives', async () => {
    const store = await open({ agentRetentionSeconds: HOUR });
    await send(store, { from: 'ops', to: 'job-1', payload: 'queued' });
    advance(HOUR + 1);
    await store.sweep();
    expect(await broadcastFrom(store, 'ops')).toEqual([]);

    const [delivery] = await store.lease({ agent: 'job-1', limit: 10, leaseSeconds: 30 });
    expect(delivery?.message.payload).toBe('queued');
    expect(await broadcastFrom(store, 'ops')).toEqual(['job-1']);
  });

  test('with retention 0 every agent ever seen stays known', async () => {
    const store = await open({ agentRetentionSeconds: 0 });
    await store.poll('job-ancient', 1);
    advance(365 * DAY);
    await store.sweep();

    expect(await broadcastFrom(store, 'ops')).toEqual(['job-ancient']);
  });

  test('a retention that is negative or not a number is refused', async () => {
    await expect(open({ agentRetentionSeconds: -1 })).rejects.toThrow(
      /agentRetentionSeconds must be a number >= 0, got -1/,
    );
    await expect(open({ agentRetentionSeconds: Number.NaN })).rejects.toThrow(/agentRetentionSeconds/);
  });
});

/** A durable backend: opens stores on one database, and can take that database back to the schema before `last_seen`. */
interface DurableBackend {
  open(options: MessageStoreOptions): Promise<MessageStore>;
  /** Back to the schema version before agents had a last-seen time. */
  downgrade(): Promise<void>;
}

const Driver = createRequire(import.meta.url)('better-sqlite3') as typeof Database;

const durableBackends: Array<[name: string, create: () => Promise<DurableBackend>]> = [
  [
    'sqlite',
    async () => {
      const path = freshDatabasePath();
      return {
        open: async (options) => new SqliteMessageStore({ ...options, path }),
        downgrade: async () => {
          const db = new Driver(path);
          db.exec('DROP INDEX agents_last_seen; ALTER TABLE agents DROP COLUMN last_seen');
          db.pragma('user_version = 3');
          db.close();
        },
      };
    },
  ],
  ...(hasPostgres()
    ? [
        [
          'postgres',
          async (): Promise<DurableBackend> => {
            const url = await freshPostgresUrl();
            return {
              open: (options) => PostgresMessageStore.open({ ...options, url, poolSize: 4 }),
              downgrade: async () => {
                const client = new pg.Client({ connectionString: url });
                await client.connect();
                await client.query(`DROP INDEX agents_last_seen; ALTER TABLE agents DROP COLUMN last_seen;
                  DELETE FROM schema_migrations WHERE version > 4`);
                await client.end();
              },
            };
          },
        ] as [string, () => Promise<DurableBackend>],
      ]
    : []),
];

describe.each(durableBackends)('%s MessageStore agent retention on disk', (_name, create) => {
  let now: number;
  let stores: MessageStore[];
  let backend: DurableBackend;

  async function open(options: MessageStoreOptions = {}): Promise<MessageStore> {
    const store = await backend.open({ now: () => now, ...options });
    stores.push(store);
    return store;
  }

  beforeEach(async () => {
    now = T0;
    stores = [];
    backend = await create();
  });
  afterEach(async () => {
    for (const s of stores) await s.close();
  });

  test('the sweep forgets an agent unseen for longer than the retention: even keeping everyone, it gets no broadcast', async () => {
    const store = await open({ agentRetentionSeconds: HOUR });
    await store.poll('job-gone', 1);
    await store.poll('job-alive', 1);
    now += (HOUR - 60) * 1000;
    await store.poll('job-alive', 1);
    now += 61 * 1000;
    await store.sweep();
    await store.close();

    const keepingEveryone = await open({ agentRetentionSeconds: 0 });

    expect(await broadcastFrom(keepingEveryone, 'ops')).toEqual(['job-alive']);
  });

  test('an upgrade counts every agent it finds as seen at the upgrade, so none is dropped by it', async () => {
    const before = await open();
    await before.poll('job-before-upgrade', 1);
    await before.close();
    await backend.downgrade();
    now += 30 * DAY * 1000;

    const upgraded = await open({ agentRetentionSeconds: DAY });
    await upgraded.sweep();
    expect(await broadcastFrom(upgraded, 'ops')).toEqual(['job-before-upgrade']);
    now += (DAY + 1) * 1000;
    await upgraded.sweep();
    expect(await broadcastFrom(upgraded, 'ops')).toEqual([]);
  });
});
