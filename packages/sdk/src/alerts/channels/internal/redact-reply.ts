import { REDACTED, redact } from '../../../internal/redact.ts';

/**
 * Shortest run of letters, digits, `_` and `-` hidden because a secret contains it: what a
 * receiver shows of a credential cut short (`token QUERYSECR... is invalid`).
 */
const MIN_FRAGMENT_CHARS = 8;
const WORD = new RegExp(`[A-Za-z0-9_-]{${MIN_FRAGMENT_CHARS},}`, 'g');

/**
 * A receiver's answer (or a network failure's reason) safe to show: every secret replaced by
 * `***` (`redact`), then every word of at least 8 characters that is part of a secret, so a secret
 * quoted cut short is hidden too.
 * @example redactReply('token QUERYSECR... is invalid', ['QUERYSECRET99']) // 'token ***... is invalid'
 */
export function redactReply(text: string, secrets: readonly (string | undefined)[]): string {
  const long = secrets.filter((secret): secret is string => (secret?.length ?? 0) >= MIN_FRAGMENT_CHARS);
  return redact(text, secrets).replace(WORD, (word) =>
    long.some((secret) => secret.includes(word)) ? REDACTED : word,
  );
}
