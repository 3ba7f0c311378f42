import { hostKeyFingerprint } from './fingerprint.ts';
import { keyBlobType } from './key-blob.ts';
import type { KnownHosts, KnownHostsEntry } from './known-hosts.ts';
import { knownHostsName } from './known-hosts-name.ts';
import { hostKeyEntries } from './match-host.ts';

/** A public key as messages show it. */
export interface HostKeyDescription {
  /** `ssh-ed25519`, `ssh-rsa`, ...; `unknown` for a blob that names no type. */
  readonly keyType: string;
  /** `SHA256:` + unpadded base64, as OpenSSH prints it. */
  readonly fingerprint: string;
}

/** A key from a `known_hosts` line, with where it is written. */
export interface KnownHostKey extends HostKeyDescription {
  /** The `known_hosts` file. */
  readonly file: string;
  /** Its line, from 1; 0 for a key accepted earlier on the same connection and not read from the file. */
  readonly line: number;
}

/** What every {@link HostKeyCheck} says: which host, which file, which key it presented. */
export interface HostKeyCheckBase {
  /** The host as given. */
  readonly host: string;
  /** The SSH port. */
  readonly port: number;
  /** The name looked up in `known_hosts`: `host`, or `[host]:port` off port 22. */
  readonly name: string;
  /** The `known_hosts` file. */
  readonly file: string;
  /** The key the host presented. */
  readonly presented: HostKeyDescription;
}

/** The host presented a key `known_hosts` holds for it. */
export interface TrustedHostKey extends HostKeyCheckBase {
  readonly status: 'trusted';
  /** The line that holds it. */
  readonly matched: KnownHostKey;
}

/** `known_hosts` has no key for this host (on this port). */
export interface UnknownHostKey extends HostKeyCheckBase {
  readonly status: 'unknown';
}

/**
 * `known_hosts` has keys for this host and the presented key is none of them (also when it is of
 * another type than every key held: a host pinned by its RSA key that presents an ed25519 key).
 */
export interface ChangedHostKey extends HostKeyCheckBase {
  readonly status: 'changed';
  /** The keys held for the host, in file order. */
  readonly expected: readonly KnownHostKey[];
}

/** The presented key is `@revoked` in `known_hosts` (on any line, whatever hosts it names). */
export interface RevokedHostKey extends HostKeyCheckBase {
  readonly status: 'revoked';
  /** The `@revoked` line. */
  readonly revokedBy: KnownHostKey;
}

/** The answer of {@link checkHostKey}; only `trusted` lets a connection go on. */
export type HostKeyCheck = TrustedHostKey | UnknownHostKey | ChangedHostKey | RevokedHostKey;

/**
 * Checks the key a host presented against a parsed `known_hosts` file, as OpenSSH and Go's
 * `knownhosts` do: `revoked` if any `@revoked` line holds the key (whatever host it names),
 * `trusted` if a line for this host and port holds it, `changed` if lines for the host hold other
 * keys only (of any type), `unknown` if no line names the host. `@cert-authority` lines are ignored.
 *
 * @param key The presented key blob, as ssh2's `hostVerifier` receives it (no `hostHash`).
 * @example
 * ```ts
 * const check = checkHostKey(knownHosts, '10.0.0.5', 22, key);
 * if (check.status !== 'trusted') throw new HostKeyError(check);
 * ```
 */
export function checkHostKey(knownHosts: KnownHosts, host: string, port: number, key: Uint8Array): HostKeyCheck {
  const presentedKey = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  const base: HostKeyCheckBase = {
    host,
    port,
    name: knownHostsName(host, port),
    file: knownHosts.file,
    presented: { keyType: keyBlobType(key) ?? 'unknown', fingerprint: hostKeyFingerprint(key) },
  };
  const revoked = knownHosts.entries.find((entry) => entry.marker === 'revoked' && entry.key.equals(presentedKey));
  if (revoked !== undefined) return { ...base, status: 'revoked', revokedBy: describe(knownHosts, revoked) };
  const entries = hostKeyEntries(knownHosts, host, port);
  if (entries.length === 0) return { ...base, status: 'unknown' };
  const matched = entries.find((entry) => entry.key.equals(presentedKey));
  if (matched !== undefined) return { ...base, status: 'trusted', matched: describe(knownHosts, matched) };
  return { ...base, status: 'changed', expected: entries.map((entry) => describe(knownHosts, entry)) };
}

function describe(knownHosts: KnownHosts, entry: KnownHostsEntry): KnownHostKey {
  return {
    keyType: entry.keyType,
    fingerprint: hostKeyFingerprint(entry.key),
    file: knownHosts.file,
    line: entry.line,
  };
}
