import type {
  ChangedHostKey,
  HostKeyCheck,
  HostKeyDescription,
  KnownHostKey,
  RevokedHostKey,
  UnknownHostKey,
} from './check-host-key.ts';
import { hostAndPort } from './known-hosts-name.ts';

/** Why a host key was refused: the {@link HostKeyCheck} status that is not `trusted`. */
export type HostKeyErrorCode = 'unknown' | 'changed' | 'revoked';

/** A refused host key check: `unknown`, `changed` or `revoked`. */
export type RefusedHostKey = UnknownHostKey | ChangedHostKey | RevokedHostKey;

/**
 * A host presented a key that `known_hosts` does not trust, so Fleet did not connect. The message
 * names `host:port`, the presented key's `SHA256:` fingerprint and, for a changed or revoked key,
 * the fingerprints `known_hosts` holds with their lines, and says how to fix it.
 *
 * @example
 * ```ts
 * try {
 *   await connect(host);
 * } catch (error) {
 *   if (isHostKeyError(error) && error.code === 'unknown') console.error(error.message);
 *   // host key for 10.0.0.5:22 is unknown: ... rerun with --accept-new-host-keys to record it
 * }
 * ```
 */
export class HostKeyError extends Error {
  override name = 'HostKeyError' as const;
  /** `unknown`: no line for the host. `changed`: lines for it, none with this key. `revoked`: an `@revoked` line holds it. */
  readonly code: HostKeyErrorCode;
  /** The host as given. */
  readonly host: string;
  /** The SSH port. */
  readonly port: number;
  /** The `known_hosts` file checked. */
  readonly file: string;
  /** The key the host presented. */
  readonly presented: HostKeyDescription;
  /** The keys `known_hosts` holds for the host (`changed`), or the `@revoked` line (`revoked`); else empty. */
  readonly expected: readonly KnownHostKey[];

  constructor(check: RefusedHostKey, options: { cause?: unknown } = {}) {
    super(hostKeyMessage(check), { cause: options.cause });
    this.code = check.status;
    this.host = check.host;
    this.port = check.port;
    this.file = check.file;
    this.presented = check.presented;
    this.expected = check.status === 'changed' ? check.expected : check.status === 'revoked' ? [check.revokedBy] : [];
  }
}

/** True for a {@link HostKeyError}, also one from another copy of the SDK. */
export function isHostKeyError(error: unknown): error is HostKeyError {
  return (
    error instanceof HostKeyError ||
    (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'HostKeyError')
  );
}

function hostKeyMessage(check: RefusedHostKey): string {
  const where = hostAndPort(check.host, check.port);
  const presented = `${check.presented.keyType} key ${check.presented.fingerprint}`;
  const known = (key: KnownHostKey) =>
    `${key.keyType} key ${key.fingerprint} (${key.line > 0 ? `${key.file}:${key.line}` : 'accepted earlier on this connection'})`;
  const forget = `ssh-keygen -R '${check.name}' -f ${check.file}`;
  switch (check.status) {
    case 'unknown':
      return (
        `host key for ${where} is unknown: ${check.file} has no entry for ${check.name}; the host presented ${presented}. ` +
        `Check that fingerprint on the host (ssh-keygen -l -f /etc/ssh/ssh_host_${keyFileType(check.presented)}_key.pub), ` +
        'then rerun with --accept-new-host-keys to record it'
      );
    case 'changed':
      return (
        `HOST KEY CHANGED for ${where}: the host presented ${presented}, but ${check.file} expects ` +
        `${check.expected.map(known).join(' or ')}. Someone may be intercepting the connection, or the host was ` +
        `reinstalled or rekeyed. Check the host's key on the host itself; if the new key is right, remove the old ` +
        `entry (${forget}) and rerun with --accept-new-host-keys`
      );
    case 'revoked':
      return (
        `host key for ${where} is revoked: the host presented ${presented}, which ${check.revokedBy.file}:` +
        `${check.revokedBy.line} marks @revoked, so it is never accepted. Give the host a new key and record that one`
      );
  }
}

/** The `ssh_host_*_key` file name part OpenSSH uses for a key type. */
function keyFileType(key: HostKeyDescription): string {
  if (key.keyType === 'ssh-ed25519') return 'ed25519';
  if (key.keyType.startsWith('ecdsa-')) return 'ecdsa';
  if (key.keyType === 'ssh-rsa') return 'rsa';
  return '*';
}
