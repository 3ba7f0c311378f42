import { createHash } from 'node:crypto';
import type pg from 'pg';
import { createClient } from '../../internal/pg-driver.ts';

/** First pause before connecting again after the connection broke; doubles up to {@link MAX_RETRY_MS}. */
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 2000;

/**
 * How often the listening connection is checked with a `SELECT 1`, and how long that may take before
 * the connection counts as lost. A connection a NAT, load balancer or failover dropped without a
 * reset raises no error: without the check it would stay "listening" and hear nothing for as long as
 * TCP keepalive takes to notice (two hours by default).
 */
export const LISTEN_CHECK = { everyMs: 10_000, timeoutMs: 5_000 };

/** Options of {@link PgListenConnection}. */
export interface PgListenConnectionOptions {
  /** The database (its `search_path` picks the schema, whose name is part of the channel's). */
  url: string;
  /** Called with the payload of each notification on the channel (this connection's own included). */
  onNotification: (payload: string) => void;
  /** Called each time the connection is (again) listening: notifications sent meanwhile are lost. */
  onListening: () => void;
  /** How often the connection is checked, and how long a check may take. @default LISTEN_CHECK */
  check?: { everyMs: number; timeoutMs: number };
}

/**
 * The notification channel of the store in `schema`: one per schema, so stores in different
 * schemas of one database do not wake each other. At most 63 bytes (PostgreSQL's identifier limit).
 */
export function channelOf(schema: string): string {
  const channel = `fleet_bus.${schema}`;
  if (Buffer.byteLength(channel) <= 63) return channel;
  return `fleet_bus.${createHash('sha256').update(schema).digest('hex').slice(0, 40)}`;
}

/**
 * One connection outside the pool that LISTENs on the store's channel and sends its NOTIFYs; when
 * it breaks (a database restart, a network cut, or a check that went unanswered: see
 * {@link LISTEN_CHECK}) it connects and LISTENs again by itself, with a growing pause, until
 * {@link PgListenConnection.close}.
 */
export class PgListenConnection {
  readonly #options: PgListenConnectionOptions;
  #client: pg.Client | undefined;
  #channel: string | undefined;
  #started = false;
  #closed = false;
  #retryMs = FIRST_RETRY_MS;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #checks: ReturnType<typeof setInterval> | undefined;

  constructor(options: PgListenConnectionOptions) {
    this.#options = options;
  }

  /** Whether the connection is up and listening. */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  /** The channel this connection listens on, once it does (notifications sent with other statements use it). */
  get channel(): string | undefined {
    return this.#client === undefined ? undefined : this.#channel;
  }

  /** Connects and LISTENs (once; later calls do nothing). */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    void this.#connect();
  }

  /**
   * Sends each payload as one notification, all in one statement (one commit). Rejects when the
   * connection is down: the caller drops them (the receivers' polling catches up).
   */
  async notify(payloads: string[]): Promise<void> {
    const client = this.#client;
    if (!client || this.#channel === undefined) throw new Error('not connected');
    await client.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [this.#channel, payloads]);
  }

  /** Stops reconnecting and closes the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    clearInterval(this.#checks);
    const client = this.#client;
    this.#client = undefined;
    // Its socket is unref'd (see #connect): ref it again, or a process with nothing else to do
    // would exit while waiting for the connection to close.
    streamOf(client)?.ref?.();
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    this.#retry = undefined;
    if (this.#closed) return;
    let client: pg.Client;
    try {
      client = createClient({ url: this.#options.url, applicationName: 'fleet-bus-listen' });
    } catch {
      // `pg` reads the URL here (the store checks it first): a throw must not become an unhandled
      // rejection of `start()`'s promise, which ends the process. Tried again like a lost connection.
      this.#scheduleRetry();
      return;
    }
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      if (this.#client === client) {
        this.#client = undefined;
        clearInterval(this.#checks);
      }
      client.end().catch(() => undefined);
      this.#scheduleRetry();
    };
    client.on('error', onLost);
    client.on('end', onLost);
    client.on('notification', (notification) => {
      if (notification.channel === this.#channel && notification.payload) {
        this.#options.onNotification(notification.payload);
      }
    });
    try {
      await client.connect();
      const { rows } = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
      const channel = channelOf(rows[0]?.schema ?? 'public');
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
      if (lost) return;
      if (this.#closed) {
        await client.end().catch(() => undefined);
        return;
      }
      // Like the pool's idle connections (which close after a while), this one must not keep a
      // process alive that forgot to close its store.
      streamOf(client)?.unref?.();
      this.#channel = channel;
      this.#client = client;
      this.#retryMs = FIRST_RETRY_MS;
      this.#startChecks(client, onLost);
      this.#options.onListening();
    } catch {
      onLost();
    }
  }

  /** Checks `client` every so often; one check unanswered in time counts as the connection lost. */
  #startChecks(client: pg.Client, onLost: () => void): void {
    const { everyMs, timeoutMs } = this.#options.check ?? LISTEN_CHECK;
    let checking = false;
    this.#checks = setInterval(() => {
      if (checking) return;
      checking = true;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer')), timeoutMs);
        timer.unref();
      });
      Promise.race([client.query('SELECT 1'), timedOut])
        .catch(onLost)
        .finally(() => {
          clearTimeout(timer);
          checking = false;
        });
    }, everyMs);
    this.#checks.unref();
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#retry) return;
    this.#retry = setTimeout(() => void this.#connect(), this.#retryMs);
    this.#retry.unref();
    this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
  }
}

/** The socket under a `pg` client (not in its typings), to ref or unref it. */
function streamOf(client: unknown): { ref?: () => void; unref?: () => void } | undefined {
  return (client as { connection?: { stream?: { ref?: () => void; unref?: () => void } } } | undefined)?.connection
    ?.stream;
}
