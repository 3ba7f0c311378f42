/** A field of a channel spec that holds a secret, relative to the channel's entry. */
export interface ChannelSecretField {
  path: string[];
  /** How a message names it, e.g. `the access token`. */
  what: string;
}

// Headers that carry credentials by convention.
const SECRET_HEADER = /authorization|token|secret|key|password|signature|cookie/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringAt(spec: Record<string, unknown>, path: string[]): boolean {
  let node: unknown = spec;
  for (const segment of path) node = isRecord(node) ? node[segment] : undefined;
  return typeof node === 'string';
}

/**
 * The fields of a channel spec, written or parsed, that hold secrets and are set: an ntfy token, a
 * Matrix access token, a Slack webhook URL (the URL is the credential), an SMTP password, and a
 * webhook's credential headers. For the rule that warns when one is written in the file instead of
 * as an `${ENV}` reference, and for redaction.
 */
export function channelSecretFields(spec: unknown): ChannelSecretField[] {
  if (!isRecord(spec)) return [];
  const candidates: ChannelSecretField[] = [];
  if (spec.type === 'ntfy') candidates.push({ path: ['token'], what: 'the token' });
  if (spec.type === 'matrix') candidates.push({ path: ['accessToken'], what: 'the access token' });
  if (spec.type === 'slack') candidates.push({ path: ['url'], what: 'the Slack webhook URL' });
  if (spec.type === 'email') candidates.push({ path: ['smtp', 'password'], what: 'the SMTP password' });
  if (spec.type === 'webhook' && isRecord(spec.headers)) {
    for (const name of Object.keys(spec.headers)) {
      if (SECRET_HEADER.test(name)) candidates.push({ path: ['headers', name], what: `the ${name} header` });
    }
  }
  return candidates.filter((field) => stringAt(spec, field.path));
}
