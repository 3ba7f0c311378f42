import type { KyInstance } from 'ky';

// Kept apart from the client object, so that inspecting or logging a client never shows them.
const secretsByKy = new WeakMap<KyInstance, readonly string[]>();

// `Bearer <token>`, `Basic <credentials>`: the credentials also count alone, as an echo may quote only them.
const SCHEME_AND_CREDENTIALS = /^[A-Za-z][\w.+-]*\s+(\S.*)$/;

// Headers that carry credentials by name; other configured headers (an agent's name, a trace id)
// are ordinary words an error message may well repeat, and stay readable.
const SECRET_HEADER = /authorization|cookie|token|secret|(^|-)(api-?)?key$|auth|password|session|credential|signature/i;

// A configured header's value shorter than this is no credential worth the name, and hiding it
// would hide every word it also is (the token is kept whatever its length).
const MIN_HEADER_SECRET_CHARS = 8;

/**
 * The values a client sends that an error message may never show: those of its headers that carry
 * credentials (the bearer token's `Authorization`, a `Cookie`, an `X-Api-Key`...), each also without
 * its auth scheme.
 */
export function headerSecrets(headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(
      ([name, value]) =>
        SECRET_HEADER.test(name) && (name === 'authorization' || value.length >= MIN_HEADER_SECRET_CHARS),
    )
    .flatMap(([name, value]) => {
      // A cookie's values also count one by one: an echo may quote a single `name=value`.
      if (name.toLowerCase() === 'cookie') return [value, ...cookieValues(value)];
      const credentials = SCHEME_AND_CREDENTIALS.exec(value)?.[1];
      return credentials === undefined ? [value] : [value, credentials];
    });
}

/** The values of a `Cookie` header's `name=value` pairs. */
function cookieValues(header: string): string[] {
  return header.split(';').flatMap((pair) => {
    const at = pair.indexOf('=');
    const value = at === -1 ? '' : pair.slice(at + 1).trim();
    return value.length < MIN_HEADER_SECRET_CHARS ? [] : [value];
  });
}

/** Remembers the secrets of the headers the ky instance sends (see {@link secretsOf}). */
export function keepSecrets(ky: KyInstance, secrets: readonly string[]): void {
  secretsByKy.set(ky, secrets);
}

/** The secrets the ky instance sends, for redacting the errors of its calls; none if unknown. */
export function secretsOf(ky: KyInstance): readonly string[] {
  return secretsByKy.get(ky) ?? [];
}
