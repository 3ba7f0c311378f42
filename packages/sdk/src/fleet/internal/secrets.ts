/**
 * Environment variable names that hold secrets by convention (`GITEA_TOKEN`, `OPENAI_API_KEY`):
 * `redactFleet` shows their values as `***`, the deployer hides them in plans.
 *
 * @example SECRET_ENV_NAME.test('OPENAI_API_KEY') // true
 */
export const SECRET_ENV_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIALS?|(^|_)KEY)$/i;

/** What a redacted literal secret is replaced with. */
export const REDACTED = '***';

// Shorter values are not scrubbed from text: they would garble messages and hide nothing.
const MIN_SCRUB_LENGTH = 4;

/** `text` with every occurrence of the given secret values replaced by `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= MIN_SCRUB_LENGTH) result = result.split(secret).join(REDACTED);
  }
  return result;
}
