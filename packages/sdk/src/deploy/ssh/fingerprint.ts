import { createHash } from 'node:crypto';

/**
 * The `SHA256:` fingerprint of a public key, exactly as OpenSSH prints it (`ssh -v`,
 * `ssh-keygen -l -E sha256`): unpadded base64 of the SHA-256 digest of the key blob.
 *
 * @param key The key blob (what ssh2's `hostVerifier` receives when `hostHash` is not set), or a
 * parsed `known_hosts` entry.
 * @example
 * ```ts
 * hostKeyFingerprint(key); // 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s'
 * ```
 */
export function hostKeyFingerprint(key: Uint8Array | { readonly key: Uint8Array }): string {
  const blob = key instanceof Uint8Array ? key : key.key;
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
