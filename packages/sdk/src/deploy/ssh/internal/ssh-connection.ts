import { setTimeout as sleep } from 'node:timers/promises';
import type { Client, ClientChannel, ConnectConfig, SFTPWrapper } from 'ssh2';
import { DeployError } from '../../errors.ts';
import { hostKeyAlgorithms } from '../host-key-algorithms.ts';
import { createHostVerifier } from '../host-verifier.ts';
import { loadKnownHosts } from '../load-known-hosts.ts';
import { knownHostKeyTypes } from '../match-host.ts';
import { recordHostKey } from '../record-host-key.ts';
import { ChannelSlots } from './channel-slots.ts';
import { loadSsh2 } from './load-ssh2.ts';
import { SftpSession } from './sftp-session.ts';

/** What {@link openConnection} needs, resolved. */
export interface ConnectionOptions {
  /** The host name errors show. */
  name: string;
  address: string;
  port: number;
  username: string;
  privateKey: Buffer | undefined;
  passphrase: string | undefined;
  agent: string | undefined;
  knownHostsFile: string;
  acceptNewHostKeys: boolean;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  readyTimeoutMs: number;
  /** How long one SFTP request (or opening the session) may go unanswered before the session is given up. */
  sftpTimeoutMs: number;
}

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * One open ssh2 connection: exec channels, one SFTP session shared by every file operation, and
 * a single place that knows whether the connection is gone (an `error`, or a `close` nobody asked
 * for, which is all ssh2 reports when the host dies) and tells every operation in flight.
 */
export class SshConnection {
  readonly #client: Client;
  readonly #name: string;
  readonly #sftpTimeoutMs: number;
  #lost: Error | undefined;
  #closing = false;
  #sftp: Promise<SftpSession> | undefined;
  readonly #slots = new ChannelSlots();
  readonly #listeners = new Set<(error: Error) => void>();
  /**
   * How long ssh2 waits for a keepalive request to be answered before it ends the connection, in
   * ms (interval × count); `undefined` when keepalive is off. What a channel's stdin may keep in
   * flight is measured against it (see `endPaced`).
   */
  readonly keepaliveLimitMs: number | undefined;

  /**
   * `sftpTimeoutMs`: how long one SFTP request (or opening the session) may go unanswered;
   * `keepaliveLimitMs`: see {@link SshConnection.keepaliveLimitMs}.
   */
  constructor(client: Client, name: string, sftpTimeoutMs: number, keepaliveLimitMs?: number) {
    this.#client = client;
    this.#name = name;
    this.#sftpTimeoutMs = sftpTimeoutMs;
    this.keepaliveLimitMs = keepaliveLimitMs !== undefined && keepaliveLimitMs > 0 ? keepaliveLimitMs : undefined;
    client.on('error', (error: Error) => this.#lose(error));
    client.on('close', () => this.#lose(new Error('the connection closed')));
  }

  /** Why the connection is gone, or `undefined` while it is up. */
  get lost(): Error | undefined {
    return this.#lost;
  }

  /** Calls `listener` once if the connection is lost (now, if it is already); returns the unsubscribe. */
  onLost(listener: (error: DeployError) => void): () => void {
    const wrapped = (error: Error): void => listener(this.#lostError(error));
    if (this.#lost) {
      queueMicrotask(() => wrapped(this.#lost!));
      return () => {};
    }
    this.#listeners.add(wrapped);
    return () => this.#listeners.delete(wrapped);
  }

  /**
   * Opens an exec channel for `line` (run by the login user's shell) once the connection has a
   * channel free (see {@link MAX_CHANNELS}); `priority` goes ahead of the queue. `undefined`, and
   * nothing sent, when `signal` is aborted before the channel is opened.
   */
  async exec(
    line: string,
    options: { priority?: boolean; signal?: AbortSignal | undefined } = {},
  ): Promise<ClientChannel | undefined> {
    if (!(await this.#slots.acquire(options.priority === true, options.signal))) return undefined;
    if (options.signal?.aborted) {
      this.#slots.release();
      return undefined;
    }
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const channel = await this.#guard<ClientChannel>((resolve, reject) =>
            this.#client.exec(line, (error, opened) => (error ? reject(error) : resolve(opened))),
          );
          channel.once('close', () => this.#slots.release());
          return channel;
        } catch (error) {
          // sshd counts a session until it has cleaned it up, a moment after the channel closed on
          // both sides: an open right after a close can find every session still taken. Try again
          // a few times, briefly, before calling it a failure.
          if (attempt >= OPEN_RETRIES || !isOpenRefused(error) || options.signal?.aborted) throw error;
          await sleep(OPEN_RETRY_MS * attempt);
        }
      }
    } catch (error) {
      this.#slots.release();
      throw error;
    }
  }

  /**
   * The connection's SFTP session, opened on first use, and again after it went (its channel
   * closed or failed, or a request went unanswered too long). Its requests reject once it is gone
   * or the connection is lost; opening it rejects if the host does not finish within the SFTP timeout.
   */
  sftp(): Promise<SftpSession> {
    if (this.#sftp === undefined) {
      const opening = this.#openSftp(() => {
        if (this.#sftp === opening) this.#sftp = undefined;
      });
      this.#sftp = opening;
      opening.catch(() => {
        if (this.#sftp === opening) this.#sftp = undefined;
      });
    }
    return this.#sftp;
  }

  async #openSftp(onGone: () => void): Promise<SftpSession> {
    const sftp = await this.#guard<SFTPWrapper>((resolve, reject) => {
      let late = false;
      const deadline = setTimeout(() => {
        late = true;
        reject(this.#sftpStalled('open'));
      }, this.#sftpTimeoutMs);
      // A lost connection rejects the open at once: this timer then holds nothing up.
      deadline.unref();
      this.#client.sftp((error, opened) => {
        clearTimeout(deadline);
        // Given up already: a session that opens after all is closed again.
        if (late) opened?.end();
        else if (error) reject(error);
        else resolve(opened);
      });
    });
    let unsubscribe = (): void => {};
    const session = new SftpSession(sftp, {
      timeoutMs: this.#sftpTimeoutMs,
      stalledError: (request) => this.#sftpStalled(request),
      goneError: (cause) => {
        if (this.#lost) return this.#lostError(this.#lost);
        const why = cause ? `the SFTP session failed (${cause.message})` : 'the SFTP session closed';
        return new DeployError('executor_failed', `SSH to ${this.#name}: ${why}`, { cause });
      },
      onGone: () => {
        unsubscribe();
        onGone();
      },
    });
    unsubscribe = this.onLost((error) => session.fail(error));
    return session;
  }

  /** Ends the connection (idempotent). */
  close(): Promise<void> {
    this.#closing = true;
    if (this.#lost) return Promise.resolve();
    return new Promise((resolve) => {
      this.#client.once('close', () => resolve());
      this.#client.end();
      // A host that went silent never answers the disconnect.
      setTimeout(() => {
        this.#client.destroy();
        resolve();
      }, 1_000).unref();
    });
  }

  /** Runs `start`, rejecting instead if the connection is lost first. */
  #guard<T>(start: (resolve: (value: T) => void, reject: (error: unknown) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const unsubscribe = this.onLost(reject);
      start(
        (value) => {
          unsubscribe();
          resolve(value);
        },
        (error) => {
          unsubscribe();
          reject(this.#lost ? this.#lostError(this.#lost) : error);
        },
      );
    });
  }

  /** The error of an SFTP `request` the host left unanswered for the SFTP timeout. */
  #sftpStalled(request: string): DeployError {
    const within = `${this.#sftpTimeoutMs / 1000} s`;
    return new DeployError(
      'executor_failed',
      `SSH to ${this.#name}: the SFTP session answered no ${request} request within ${within}, so it was closed (the next file operation opens a new one)`,
    );
  }

  #lostError(error: Error): DeployError {
    const why = this.#closing ? 'the executor was closed' : `the connection was lost (${reasonOf(error)})`;
    return new DeployError('executor_failed', `SSH to ${this.#name}: ${why}`, { cause: error });
  }

  #lose(error: Error): void {
    if (this.#lost) return;
    this.#lost = error;
    this.#slots.fail(this.#lostError(error));
    this.#client.destroy();
    for (const listener of [...this.#listeners]) listener(error);
    this.#listeners.clear();
  }
}

/**
 * Connects and authenticates, the host key checked against `known_hosts` (fails closed; a new
 * host's key is accepted and recorded only with `acceptNewHostKeys`), its algorithms pinned to the
 * key types the file knows, keepalive on. A refused host key rejects with the verifier's
 * `HostKeyError` (both fingerprints); anything else with a `DeployError`. Aborting `signal` gives up
 * at once, closing the socket (a host that accepts and never answers would otherwise hold the
 * attempt for `readyTimeoutMs`).
 */
export async function openConnection(options: ConnectionOptions, signal?: AbortSignal): Promise<SshConnection> {
  const { Client } = loadSsh2();
  const { address, port } = options;
  const { value: knownHosts } = await loadKnownHosts(options.knownHostsFile);
  const hostVerifier = createHostVerifier(knownHosts, address, port, {
    acceptNew: options.acceptNewHostKeys,
    record: (key) => recordHostKey(options.knownHostsFile, address, port, key),
  });
  const config: ConnectConfig = {
    host: address,
    port,
    username: options.username,
    hostVerifier,
    algorithms: { serverHostKey: hostKeyAlgorithms(knownHostKeyTypes(knownHosts, address, port)) },
    keepaliveInterval: options.keepaliveIntervalMs,
    keepaliveCountMax: options.keepaliveCountMax,
    readyTimeout: options.readyTimeoutMs,
    agentForward: false,
    ...(options.privateKey === undefined ? {} : { privateKey: options.privateKey }),
    ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
    ...(options.privateKey === undefined && options.agent !== undefined ? { agent: options.agent } : {}),
  };
  const client = new Client();
  let onAbort: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      onAbort = () => reject(new Error('the attempt was given up'));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      client.once('ready', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error('the connection closed during the handshake')));
      client.connect(config);
    });
  } catch (error) {
    client.removeAllListeners();
    client.on('error', () => {});
    client.destroy();
    if (hostVerifier.failure) throw hostVerifier.failure;
    throw new DeployError(
      'executor_failed',
      `Could not connect to ${options.name} (${options.username}@${address}:${port}): ${reasonOf(error)}`,
      { cause: error },
    );
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
  client.removeAllListeners();
  const keepaliveLimitMs = options.keepaliveIntervalMs * options.keepaliveCountMax;
  return new SshConnection(client, options.name, options.sftpTimeoutMs, keepaliveLimitMs);
}

/** Tries of a channel open that sshd refused ("open failed"), and the pause before the next (times the try). */
const OPEN_RETRIES = 5;
const OPEN_RETRY_MS = 50;

/** ssh2's error for a channel open the server refused (OpenSSH at its MaxSessions says "open failed"). */
function isOpenRefused(error: unknown): boolean {
  return error instanceof Error && /Channel open failure: open failed/.test(error.message);
}
