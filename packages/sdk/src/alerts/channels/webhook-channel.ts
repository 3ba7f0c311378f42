import { z } from 'zod';
import type { AlertChannel } from './alert-channel.ts';
import { HeaderName, HeaderValue, HttpUrl } from './internal/fields.ts';
import { sendHttp } from './internal/http-send.ts';
import { headerSecrets, urlSecrets } from './internal/secret-parts.ts';

/** A generic JSON webhook: each alert is POSTed as an {@link AlertMessage}. */
export const WebhookChannelSpec = z.strictObject({
  type: z.literal('webhook'),
  url: HttpUrl,
  /** Sent with every request, e.g. `Authorization: Bearer ${WEBHOOK_TOKEN}`. */
  headers: z.record(HeaderName, HeaderValue).optional(),
});
export type WebhookChannelSpec = z.infer<typeof WebhookChannelSpec>;

/**
 * A channel that POSTs each alert as JSON (an `AlertMessage`) to a URL, with the spec's headers.
 * Its errors quote the receiver's answer without the URL's path and query, their segments and
 * values, or the header values (see `urlSecrets`, `headerSecrets`).
 */
export function createWebhookChannel(name: string, spec: WebhookChannelSpec): AlertChannel {
  const headers = spec.headers ?? {};
  // The path, the query string and the header values may hold the receiver's secret, and a
  // receiver may quote any part of one (a segment, a value, the token without `Bearer`).
  const secrets = [...urlSecrets(spec.url), ...headerSecrets(headers)];
  return {
    name,
    type: 'webhook',
    send: (message, options) =>
      sendHttp(
        {
          label: `webhook channel "${name}"`,
          channel: name,
          method: 'POST',
          url: spec.url,
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(message),
          secrets,
        },
        options,
      ),
  };
}
