import { REDACTED, redact } from '../../../internal/redact.ts';

/**
 * Shortest run of letters, digits, `_` and `-` hidden because a secret contains it: what a
 * receiver shows of a credential cut short (`token QUERYSECR... is invalid`).
 */
const MIN_FRAGMENT_CHARS = 8;
const WORD = new RegExp(`[A-Za-z0-9_-]{${MIN_FRAGMENT_CHARS},}`, 'g');

/** A secret of one token (no `/`, space, `=`, `&`...), whose beginning a receiver may quote alone. */
const ONE_TOKEN = /^[A-Za-z0-9_.~+-]+$/;

/**
 * A receiver's answer (or a network failure's reason) safe to show: every secret replaced by
 * `***` (`redact`), then every word of at least 8 characters that begins a one-token secret, so a
 * secret quoted cut short is hidden too. Words that only occur inside a longer secret (a path, a
 * header such as `X-Env: fleet-production`) stay readable.
 * @example redactReply('token QUERYSECR... is invalid', ['QUERYSECRET99']) // 'token ***... is invalid'
 */
export function redactReply(text: string, secrets: readonly (string | undefined)[]): string {
  const tokens = secrets.filter(
    (secret): secret is string => secret !== undefined && secret.length >= MIN_FRAGMENT_CHARS && ONE_TOKEN.test(secret),
  );
  return redact(text, secrets).replace(WORD, (word) =>
    tokens.some((secret) => secret.startsWith(word)) ? REDACTED : word,
  );
}
