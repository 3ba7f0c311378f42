/**
 * The key type a public key blob names in its first field (`ssh-ed25519`, `ssh-rsa`,
 * `ecdsa-sha2-nistp256`, ...), or `undefined` when the blob is too short or malformed to hold one.
 * The blob is the SSH wire encoding of a public key: what ssh2's `hostVerifier` receives (when
 * `hostHash` is not set) and what the base64 field of a `known_hosts` line decodes to.
 *
 * @example
 * ```ts
 * keyBlobType(Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAI...', 'base64')); // 'ssh-ed25519'
 * ```
 */
export function keyBlobType(blob: Uint8Array): string | undefined {
  if (blob.length < 4) return undefined;
  const length = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) return undefined;
  const type = Buffer.from(blob.buffer, blob.byteOffset + 4, length).toString('latin1');
  // Algorithm names are printable US-ASCII without spaces (RFC 4251, section 6).
  return /^[\x21-\x7e]+$/.test(type) ? type : undefined;
}
