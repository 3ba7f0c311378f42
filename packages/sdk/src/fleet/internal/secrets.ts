/**
 * Environment variable names that hold secrets by convention (`GITEA_TOKEN`, `OPENAI_API_KEY`):
 * `redactFleet` shows their values as `***`, the deployer hides them in plans.
 *
 * @example SECRET_ENV_NAME.test('OPENAI_API_KEY') // true
 */
export const SECRET_ENV_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIALS?|(^|_)KEY)$/i;

/** What a redacted literal secret is replaced with. */
export const REDACTED = '***';

/**
 * Shortest literal secret scrubbed from text: a shorter value (a `CACHE_KEY` of `1`) would garble
 * every message it appears in and hide nothing.
 */
export const MIN_SCRUB_LENGTH = 4;

/** `text` with every occurrence of the given secret values replaced by `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SCRUB_LENGTH) result = result.split(secret).join(REDACTED);
  }
  return result;
}
