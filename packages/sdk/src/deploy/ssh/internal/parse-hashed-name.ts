import { HASHED_NAME_MAGIC, type HashedName, SHA1_LENGTH } from '../hashed-name.ts';
import { decodeBase64 } from './base64.ts';

/**
 * Decodes a hashed host field (`|1|salt|hash`), or returns why it is not one, in a few words.
 */
export function parseHashedName(field: string): HashedName | string {
  if (!field.startsWith(HASHED_NAME_MAGIC)) return `a hashed host must start with ${HASHED_NAME_MAGIC}`;
  const parts = field.slice(HASHED_NAME_MAGIC.length).split('|');
  if (parts.length !== 2) return 'a hashed host must be |1|salt|hash';
  const [salt, hash] = parts.map(decodeBase64) as [Buffer | undefined, Buffer | undefined];
  if (salt === undefined || salt.length === 0) return 'the salt of a hashed host is not base64';
  if (hash === undefined || hash.length !== SHA1_LENGTH)
    return 'the hash of a hashed host is not a base64 SHA-1 digest';
  return { salt, hash };
}
