import { MIN_SECRET_CHARS } from '../../internal/redact.ts';

/**
 * Environment variable names that hold secrets by convention (`GITEA_TOKEN`, `OPENAI_API_KEY`):
 * `redactFleet` shows their values as `***`, the deployer hides them in plans.
 *
 * @example SECRET_ENV_NAME.test('OPENAI_API_KEY') // true
 */
export const SECRET_ENV_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIALS?|(^|_)KEY)$/i;

/**
 * Shortest literal secret scrubbed from text: a shorter value (a `CACHE_KEY` of `1`) would garble
 * every message it appears in and hide nothing.
 */
export const MIN_SCRUB_LENGTH = MIN_SECRET_CHARS;
