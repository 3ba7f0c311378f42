import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterEach, describe, expect, test } from 'vitest';
import { hostKeyFingerprint } from '../../src/deploy/ssh/fingerprint.ts';
import { hostKeyAlgorithms } from '../../src/deploy/ssh/host-key-algorithms.ts';
import { HostKeyError, isHostKeyError } from '../../src/deploy/ssh/host-key-error.ts';
import { createHostVerifier, type KnownHostsVerifier } from '../../src/deploy/ssh/host-verifier.ts';
import type { KnownHosts } from '../../src/deploy/ssh/known-hosts.ts';
import { loadKnownHosts } from '../../src/deploy/ssh/load-known-hosts.ts';
import { knownHostKeyTypes } from '../../src/deploy/ssh/match-host.ts';
import { parseKnownHosts } from '../../src/deploy/ssh/parse-known-hosts.ts';
import { recordHostKey } from '../../src/deploy/ssh/record-host-key.ts';
import { generateHostKey, type HostKey, useTempDir } from './_host-keys.ts';

const ed = generateHostKey('ed25519');
const rsa = generateHostKey('rsa');
const stranger = generateHostKey('ed25519');

/** Runs the verifier the way ssh2 does and resolves with what it told ssh2. */
function verify(verifier: KnownHostsVerifier, key: Buffer): Promise<boolean> {
  return new Promise((resolve) => verifier(key, resolve));
}

describe('createHostVerifier', () => {
  const knownHosts = parseKnownHosts(`web1 ${ed.publicKey}\n@revoked * ${rsa.publicKey}\n`).value;

  test('lets a trusted key through and keeps no failure', async () => {
    const verifier = createHostVerifier(knownHosts, 'web1', 22);
    expect(await verify(verifier, ed.blob)).toBe(true);
    expect(verifier.failure).toBeUndefined();
    expect(verifier.check?.status).toBe('trusted');
    expect(verifier.acceptedNew).toBe(false);
  });

  test('refuses an unknown, changed or revoked key and keeps the HostKeyError', async () => {
    const cases: Array<[host: string, key: Buffer, code: string]> = [
      ['web2', ed.blob, 'unknown'],
      ['web1', stranger.blob, 'changed'],
      ['web1', rsa.blob, 'revoked'],
    ];
    for (const [host, key, code] of cases) {
      const verifier = createHostVerifier(knownHosts, host, 22);
      expect(await verify(verifier, key)).toBe(false);
      expect(isHostKeyError(verifier.failure) && verifier.failure.code).toBe(code);
      expect(verifier.check?.status).toBe(code);
    }
  });

  test('with acceptNew, accepts and records an unknown key, but never a changed or revoked one', async () => {
    const recorded: Array<[string, string]> = [];
    const record = (key: Buffer, check: { name: string }) => {
      recorded.push([check.name, hostKeyFingerprint(key)]);
    };
    const unknown = createHostVerifier(knownHosts, 'web2', 2222, { acceptNew: true, record });
    expect(await verify(unknown, stranger.blob)).toBe(true);
    expect(unknown.failure).toBeUndefined();
    expect(unknown.acceptedNew).toBe(true);
    expect(recorded).toEqual([['[web2]:2222', hostKeyFingerprint(stranger.blob)]]);
    // A rekey presents the same key again: accepted, not recorded twice.
    expect(await verify(unknown, stranger.blob)).toBe(true);
    expect(recorded).toHaveLength(1);
    // Another key on the same connection is a change from the key accepted: refused, not recorded.
    expect(await verify(unknown, ed.blob)).toBe(false);
    expect(unknown.failure).toMatchObject({
      code: 'changed',
      expected: [{ keyType: 'ssh-ed25519', fingerprint: hostKeyFingerprint(stranger.blob), line: 0 }],
    });
    expect(unknown.failure?.message).toContain(
      `expects ssh-ed25519 key ${hostKeyFingerprint(stranger.blob)} (accepted earlier on this connection)`,
    );
    expect(recorded).toHaveLength(1);

    const changed = createHostVerifier(knownHosts, 'web1', 22, { acceptNew: true, record });
    expect(await verify(changed, stranger.blob)).toBe(false);
    expect((changed.failure as HostKeyError).code).toBe('changed');
    const revoked = createHostVerifier(knownHosts, 'web3', 22, { acceptNew: true, record });
    expect(await verify(revoked, rsa.blob)).toBe(false);
    expect((revoked.failure as HostKeyError).code).toBe('revoked');
    expect(recorded).toHaveLength(1);
  });

  test('refuses the connection when recording the accepted key fails, keeping why', async () => {
    const cause = new Error('EACCES: permission denied');
    const verifier = createHostVerifier(knownHosts, 'web2', 22, {
      acceptNew: true,
      record: () => Promise.reject(cause),
    });
    expect(await verify(verifier, stranger.blob)).toBe(false);
    expect(verifier.acceptedNew).toBe(false);
    expect(verifier.failure?.cause).toBe(cause);
    expect(verifier.failure?.message).toBe(
      `accepted the new host key of web2:22 (ssh-ed25519 ${hostKeyFingerprint(stranger.blob)}) but could not record it: EACCES: permission denied`,
    );
  });

  test('throws on a bad host or port when made, not later inside the handshake', () => {
    expect(() => createHostVerifier(knownHosts, 'web1', 0)).toThrow(RangeError);
    expect(() => createHostVerifier(knownHosts, '', 22)).toThrow(RangeError);
  });

  test('refuses a hashed key (ssh2 hostHash set) instead of checking it', async () => {
    const verifier = createHostVerifier(knownHosts, 'web1', 22);
    const hex = 'ab'.repeat(32) as unknown as Buffer;
    expect(await verify(verifier, hex)).toBe(false);
    expect(verifier.failure?.message).toMatch(/do not set hostHash/);
  });
});

describe('createHostVerifier with a real ssh2 Server and Client', () => {
  const dir = useTempDir();
  const servers: ssh2.Server[] = [];

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  /** An ssh2 server on 127.0.0.1, port 0, with these host keys, that lets anyone in. */
  async function startServer(hostKeys: HostKey[]): Promise<number> {
    const server = new ssh2.Server({ hostKeys: hostKeys.map((key) => key.privateKey) }, (client) => {
      client.on('authentication', (context) => context.accept());
      // The client hangs up on a refused key: expected here.
      client.on('error', () => {});
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  /** Connects with the verifier; resolves with the negotiated host-key algorithm, or the error to report. */
  function connect(
    port: number,
    hostVerifier: KnownHostsVerifier,
    serverHostKey: ReturnType<typeof hostKeyAlgorithms> = [],
  ): Promise<{ ok: true; algorithm: string } | { ok: false; error: Error }> {
    return new Promise((resolve) => {
      const client = new ssh2.Client();
      let algorithm = '';
      client.on('handshake', (negotiated) => {
        algorithm = negotiated.serverHostKey;
      });
      client.on('ready', () => {
        client.end();
        resolve({ ok: true, algorithm });
      });
      // ssh2 says only "host verification failed": report the verifier's failure instead.
      client.on('error', (error) => resolve({ ok: false, error: hostVerifier.failure ?? error }));
      client.connect({
        host: '127.0.0.1',
        port,
        username: 'fleet',
        readyTimeout: 10_000,
        hostVerifier,
        ...(serverHostKey.length > 0 ? { algorithms: { serverHostKey } } : {}),
      });
    });
  }

  const knownHostsFor = (text: string): KnownHosts => parseKnownHosts(text, { file: 'test_known_hosts' }).value;

  test('a trusted host key connects', async () => {
    const port = await startServer([ed]);
    const verifier = createHostVerifier(knownHostsFor(`[127.0.0.1]:${port} ${ed.publicKey}\n`), '127.0.0.1', port);
    expect(await connect(port, verifier)).toEqual({ ok: true, algorithm: 'ssh-ed25519' });
    expect(verifier.check?.status).toBe('trusted');
  });

  test('an unknown host fails with the HostKeyError, naming host:port and the fingerprint', async () => {
    const port = await startServer([ed]);
    const verifier = createHostVerifier(knownHostsFor(`127.0.0.1 ${ed.publicKey}\n`), '127.0.0.1', port);
    const result = await connect(port, verifier);
    expect(result.ok).toBe(false);
    const error = !result.ok ? result.error : undefined;
    expect(error).toBeInstanceOf(HostKeyError);
    expect(error).toMatchObject({ code: 'unknown', port, presented: { fingerprint: hostKeyFingerprint(ed.blob) } });
    expect(error?.message).toContain(`127.0.0.1:${port}`);
    expect(error?.message).toContain(hostKeyFingerprint(ed.blob));
    expect(error?.message).toContain('--accept-new-host-keys');
  });

  test('a changed host key fails with the HostKeyError, naming both fingerprints', async () => {
    const port = await startServer([ed]);
    const verifier = createHostVerifier(
      knownHostsFor(`[127.0.0.1]:${port} ${stranger.publicKey}\n`),
      '127.0.0.1',
      port,
    );
    const result = await connect(port, verifier);
    const error = !result.ok ? result.error : undefined;
    expect(isHostKeyError(error) && error.code).toBe('changed');
    expect(error?.message).toContain(`HOST KEY CHANGED for 127.0.0.1:${port}`);
    expect(error?.message).toContain(`presented ssh-ed25519 key ${hostKeyFingerprint(ed.blob)}`);
    expect(error?.message).toContain(`expects ssh-ed25519 key ${hostKeyFingerprint(stranger.blob)}`);
  });

  test('--accept-new-host-keys records the key, and the next connection trusts it from the file', async () => {
    const port = await startServer([ed]);
    const file = join(dir.path, 'known_hosts');
    const first = await loadKnownHosts(file);
    const record = (key: Buffer) => recordHostKey(file, '127.0.0.1', port, key);
    const accepting = createHostVerifier(first.value, '127.0.0.1', port, { acceptNew: true, record });
    expect((await connect(port, accepting)).ok).toBe(true);
    expect(accepting.acceptedNew).toBe(true);

    const second = await loadKnownHosts(file);
    expect(second.value.entries).toHaveLength(1);
    const strict = createHostVerifier(second.value, '127.0.0.1', port);
    expect((await connect(port, strict)).ok).toBe(true);
    expect(strict.check?.status).toBe('trusted');
  });

  test('an RSA pin against a host that also has ed25519: changed unless the pinned types are asked for first', async () => {
    const port = await startServer([rsa, ed]);
    const knownHosts = knownHostsFor(`[127.0.0.1]:${port} ${rsa.publicKey}\n`);
    // ssh2 alone prefers ed25519, which the file does not hold: refused as changed.
    const unpinned = createHostVerifier(knownHosts, '127.0.0.1', port);
    const refused = await connect(port, unpinned);
    expect(!refused.ok && isHostKeyError(refused.error) && refused.error.code).toBe('changed');
    // Asking for the pinned types first gets the RSA key.
    const pinned = createHostVerifier(knownHosts, '127.0.0.1', port);
    const serverHostKey = hostKeyAlgorithms(knownHostKeyTypes(knownHosts, '127.0.0.1', port));
    expect(await connect(port, pinned, serverHostKey)).toEqual({ ok: true, algorithm: 'rsa-sha2-512' });
  });

  test('a host that no longer holds the pinned key type is refused as changed, with both fingerprints', async () => {
    const port = await startServer([ed]);
    const knownHosts = knownHostsFor(`[127.0.0.1]:${port} ${rsa.publicKey}\n`);
    const verifier = createHostVerifier(knownHosts, '127.0.0.1', port);
    const serverHostKey = hostKeyAlgorithms(knownHostKeyTypes(knownHosts, '127.0.0.1', port));
    const result = await connect(port, verifier, serverHostKey);
    const error = !result.ok ? result.error : undefined;
    expect(isHostKeyError(error) && error.code).toBe('changed');
    expect(error?.message).toContain(`presented ssh-ed25519 key ${hostKeyFingerprint(ed.blob)}`);
    expect(error?.message).toContain(`expects ssh-rsa key ${hostKeyFingerprint(rsa.blob)}`);
  });
});
