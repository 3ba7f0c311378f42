import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from '../http-error.ts';

/** Checks an `Authorization` header against the configured bearer tokens. */
export type BearerCheck = (authorization: string | null) => void;

const challenge = { 'www-authenticate': 'Bearer' };

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Builds the bearer check for `tokens`, or `undefined` when there are none (auth off).
 * Tokens are compared as SHA-256 digests with `timingSafeEqual`, against every configured token,
 * so neither the length nor the content of a token leaks through timing.
 */
export function createBearerCheck(tokens: readonly string[]): BearerCheck | undefined {
  if (tokens.length === 0) return undefined;
  const digests = tokens.map(digest);
  return (authorization) => {
    if (authorization === null || authorization.length < 7 || authorization.slice(0, 7).toLowerCase() !== 'bearer ') {
      throw new HttpError('unauthorized', 'Missing bearer token (Authorization: Bearer <token>)', {
        headers: challenge,
      });
    }
    const presented = digest(authorization.slice(7).trim());
    let match = false;
    for (const known of digests) match = timingSafeEqual(known, presented) || match;
    if (!match) throw new HttpError('unauthorized', 'Invalid bearer token', { headers: challenge });
  };
}
