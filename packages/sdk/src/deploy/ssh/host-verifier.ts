import { checkHostKey, type HostKeyCheck, type UnknownHostKey } from './check-host-key.ts';
import { hostKeyFingerprint } from './fingerprint.ts';
import { HostKeyError } from './host-key-error.ts';
import { keyBlobType } from './key-blob.ts';
import type { KnownHosts } from './known-hosts.ts';
import { hostAndPort, knownHostsName } from './known-hosts-name.ts';

/** Options of {@link createHostVerifier}. */
export interface HostVerifierOptions {
  /**
   * Accept the key of a host `known_hosts` does not know (`--accept-new-host-keys`), and record it
   * with `record`. Never accepts a changed or revoked key.
   * @default false
   */
  acceptNew?: boolean;
  /**
   * Records an accepted new key before the handshake goes on, typically {@link recordHostKey} on the
   * `known_hosts` file. If it throws or rejects, the connection is refused and the error is the
   * verifier's `failure`. Without it an accepted key is trusted for this connection only.
   * @example
   * ```ts
   * { acceptNew: true, record: (key) => recordHostKey(file, host, port, key) }
   * ```
   */
  record?: (key: Buffer, check: UnknownHostKey) => unknown;
}

/**
 * An ssh2 `hostVerifier` (`(key, verify) => void`) that remembers why it refused a key: ssh2 only
 * reports `Handshake failed: host verification failed`, so report `failure` instead.
 */
export interface KnownHostsVerifier {
  /** Checks the key, then calls `verify(true)` to go on or `verify(false)` to disconnect. */
  (key: Buffer, verify: (permitted: boolean) => void): void;
  /**
   * Why the last key was refused: a {@link HostKeyError} (unknown, changed or revoked), or the
   * error `record` raised (wrapped, with it as `cause`); `undefined` while nothing was refused.
   */
  readonly failure: Error | undefined;
  /** The last check made; `undefined` before the handshake reached the host key. */
  readonly check: HostKeyCheck | undefined;
  /** Whether an unknown key was accepted (and recorded, given `record`) under `acceptNew`. */
  readonly acceptedNew: boolean;
}

/**
 * Makes the ssh2 `hostVerifier` for one host: it lets the handshake go on only for a key
 * `known_hosts` trusts for `host:port`, or, with `acceptNew`, for the key of a host it does not
 * know at all (recorded with `record` first). A changed or revoked key is always refused. Set no
 * `hostHash` in ssh2's config: the verifier needs the raw key. Set `algorithms.serverHostKey` with
 * {@link hostKeyAlgorithms} too, or a host pinned by an RSA key may present its ed25519 key and be
 * refused as changed.
 *
 * @example
 * ```ts
 * const hostVerifier = createHostVerifier(knownHosts, host, port, { acceptNew, record });
 * client.on('error', (error) => reject(hostVerifier.failure ?? error));
 * const serverHostKey = hostKeyAlgorithms(knownHostKeyTypes(knownHosts, host, port));
 * client.connect({ host, port, username, hostVerifier, algorithms: { serverHostKey } });
 * ```
 */
export function createHostVerifier(
  knownHosts: KnownHosts,
  host: string,
  port: number,
  options: HostVerifierOptions = {},
): KnownHostsVerifier {
  knownHostsName(host, port); // a bad host or port throws here, not inside ssh2's handshake
  let failure: Error | undefined;
  let lastCheck: HostKeyCheck | undefined;
  let accepted: Buffer | undefined;

  const verifier = (key: Buffer, verify: (permitted: boolean) => void): void => {
    if (!Buffer.isBuffer(key)) {
      failure = new TypeError('the host verifier needs the raw host key: do not set hostHash in the ssh2 config');
      verify(false);
      return;
    }
    // A rekey presents the key again: the one accepted earlier on this connection stays accepted.
    if (accepted?.equals(key)) {
      verify(true);
      return;
    }
    let check = checkHostKey(knownHosts, host, port, key);
    if (check.status === 'unknown' && accepted !== undefined) {
      // The file read before the handshake does not hold the key accepted since: another key is a change.
      const expected = { keyType: keyBlobType(accepted) ?? 'unknown', fingerprint: hostKeyFingerprint(accepted) };
      check = { ...check, status: 'changed', expected: [{ ...expected, file: knownHosts.file, line: 0 }] };
    }
    lastCheck = check;
    if (check.status === 'trusted') {
      failure = undefined;
      verify(true);
      return;
    }
    if (check.status !== 'unknown' || options.acceptNew !== true) {
      failure = new HostKeyError(check);
      verify(false);
      return;
    }
    const { record } = options;
    if (record === undefined) {
      accept(key, verify);
      return;
    }
    Promise.resolve()
      .then(() => record(key, check))
      .then(
        () => accept(key, verify),
        (error: unknown) => {
          const where = hostAndPort(host, port);
          const reason = error instanceof Error ? error.message : String(error);
          failure = new Error(
            `accepted the new host key of ${where} (${check.presented.keyType} ${check.presented.fingerprint}) but could not record it: ${reason}`,
            { cause: error },
          );
          verify(false);
        },
      );
  };

  function accept(key: Buffer, verify: (permitted: boolean) => void): void {
    accepted = key;
    failure = undefined;
    verify(true);
  }

  return Object.defineProperties(verifier, {
    failure: { get: () => failure, enumerable: true },
    check: { get: () => lastCheck, enumerable: true },
    acceptedNew: { get: () => accepted !== undefined, enumerable: true },
  }) as KnownHostsVerifier;
}
