import { createHmac, randomBytes } from 'node:crypto';

/** The prefix of a hashed name: hash type 1, HMAC-SHA1. */
export const HASHED_NAME_MAGIC = '|1|';
/** Bytes of a SHA-1 digest: the hash of a hashed name, and the salt OpenSSH writes. */
export const SHA1_LENGTH = 20;

/** A hashed `known_hosts` name, `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`, decoded. */
export interface HashedName {
  /** The HMAC key, 20 random bytes when OpenSSH writes it. */
  readonly salt: Buffer;
  /** HMAC-SHA1 of the name (see {@link knownHostsName}) keyed with the salt. */
  readonly hash: Buffer;
}

/**
 * Hashes a `known_hosts` name as `ssh-keygen -H` and `HashKnownHosts yes` do:
 * `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`.
 *
 * @param name The name as {@link knownHostsName} writes it: `host`, or `[host]:port` off port 22.
 * @param salt The HMAC key. @default 20 random bytes
 * @example
 * ```ts
 * hashKnownHostsName(knownHostsName('10.0.0.5', 2222)); // '|1|Xk5...=|q8D...='
 * ```
 */
export function hashKnownHostsName(name: string, salt: Uint8Array = randomBytes(SHA1_LENGTH)): string {
  const hash = createHmac('sha1', salt).update(name).digest();
  return `${HASHED_NAME_MAGIC}${Buffer.from(salt).toString('base64')}|${hash.toString('base64')}`;
}

/** Whether `name` (as {@link knownHostsName} writes it) is the name that was hashed. */
export function matchesHashedName(hashed: HashedName, name: string): boolean {
  // Not secret: the name is what we look up, the hash is in a file the user can read.
  return createHmac('sha1', hashed.salt).update(name).digest().equals(hashed.hash);
}
