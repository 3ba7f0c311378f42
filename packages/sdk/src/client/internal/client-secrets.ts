import type { KyInstance } from 'ky';

// Kept apart from the client object, so that inspecting or logging a client never shows them.
const secretsByKy = new WeakMap<KyInstance, readonly string[]>();

// `Bearer <token>`, `Basic <credentials>`: the credentials also count alone, as an echo may quote only them.
const SCHEME_AND_CREDENTIALS = /^[A-Za-z][\w.+-]*\s+(\S.*)$/;

// Headers that carry credentials by name; other configured headers (an agent's name, a trace id)
// are ordinary words an error message may well repeat, and stay readable.
const SECRET_HEADER = /authorization|cookie|token|secret|key|auth|password|session|credential|signature/i;

/**
 * The values a client sends that an error message may never show: those of its headers that carry
 * credentials (the bearer token's `Authorization`, a `Cookie`, an `X-Api-Key`...), each also without
 * its auth scheme.
 */
export function headerSecrets(headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(([name]) => SECRET_HEADER.test(name))
    .flatMap(([, value]) => {
      const credentials = SCHEME_AND_CREDENTIALS.exec(value)?.[1];
      return credentials === undefined ? [value] : [value, credentials];
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
