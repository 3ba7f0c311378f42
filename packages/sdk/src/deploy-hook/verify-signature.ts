import { createHmac, timingSafeEqual } from 'node:crypto';
import { headerValue, type WebhookHeaders } from './internal/header-value.ts';

export type { WebhookHeaders } from './internal/header-value.ts';

/** The signature headers a forge sends: `github` (`X-Hub-Signature-256: sha256=<hex>`) or `gitea` (`X-Gitea-Signature: <hex>`). */
export type WebhookSignatureFormat = 'github' | 'gitea';

/** What {@link verifyWebhookSignature} found: the header that matched, or why none did. */
export type WebhookSignatureCheck = { ok: true; format: WebhookSignatureFormat } | { ok: false; reason: string };

/** Options of {@link verifyWebhookSignature}. */
export interface VerifyWebhookSignatureOptions {
  /** The request body's exact bytes, as received. */
  rawBody: Uint8Array;
  /** The request headers. */
  headers: WebhookHeaders;
  /** The active secrets (one, or two while rotating); blank ones are ignored. */
  secrets: readonly string[];
}

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * Checks a webhook delivery's HMAC-SHA256 signature over the exact body bytes, in GitHub's format
 * (`X-Hub-Signature-256: sha256=<hex>`) or Gitea's (`X-Gitea-Signature: <hex>`), against every
 * active secret, comparing in constant time. Gitea sends both headers; either matching is enough.
 *
 * @example
 * const check = verifyWebhookSignature({ rawBody, headers: request.headers, secrets: [secret] });
 * if (!check.ok) throw new FleetError('unauthorized', check.reason);
 */
export function verifyWebhookSignature(options: VerifyWebhookSignatureOptions): WebhookSignatureCheck {
  const secrets = options.secrets.filter((secret) => secret.trim() !== '');
  if (secrets.length === 0) return { ok: false, reason: 'no webhook secret is configured' };
  const github = headerValue(options.headers, 'x-hub-signature-256')?.trim();
  const gitea = headerValue(options.headers, 'x-gitea-signature')?.trim();
  const candidates: Array<{ format: WebhookSignatureFormat; hex: string }> = [];
  if (github?.startsWith('sha256=')) candidates.push({ format: 'github', hex: github.slice(7) });
  if (gitea !== undefined) candidates.push({ format: 'gitea', hex: gitea });
  if (candidates.length === 0) {
    return { ok: false, reason: 'missing signature: send X-Hub-Signature-256 (sha256=<hex>) or X-Gitea-Signature' };
  }
  const expected = secrets.map((secret) => createHmac('sha256', secret).update(options.rawBody).digest());
  for (const candidate of candidates) {
    if (!HEX_SHA256.test(candidate.hex)) continue;
    const given = Buffer.from(candidate.hex, 'hex');
    // Every secret is compared (no early exit), so the time taken says nothing about which one matched.
    let matched = false;
    for (const digest of expected) matched = timingSafeEqual(given, digest) || matched;
    if (matched) return { ok: true, format: candidate.format };
  }
  return { ok: false, reason: 'signature does not match the body' };
}

/** Signs a body as GitHub does: `sha256=<hex>` of HMAC-SHA256 with `secret` (for tests and senders). */
export function signWebhookBody(secret: string, rawBody: Uint8Array | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}
