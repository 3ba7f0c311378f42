import { z } from 'zod';
import type { AlertChannel } from './alert-channel.ts';
import { HeaderName, HeaderValue, HttpUrl } from './internal/fields.ts';
import { sendHttp } from './internal/http-send.ts';

/** A generic JSON webhook: each alert is POSTed as an {@link AlertMessage}. */
export const WebhookChannelSpec = z.strictObject({
  type: z.literal('webhook'),
  url: HttpUrl,
  /** Sent with every request, e.g. `Authorization: Bearer ${WEBHOOK_TOKEN}`. */
  headers: z.record(HeaderName, HeaderValue).optional(),
});
export type WebhookChannelSpec = z.infer<typeof WebhookChannelSpec>;

/** A channel that POSTs each alert as JSON (an `AlertMessage`) to a URL, with the spec's headers. */
export function createWebhookChannel(name: string, spec: WebhookChannelSpec): AlertChannel {
  const headers = spec.headers ?? {};
  const url = new URL(spec.url);
  // The path, query string, user info and header values may hold the receiver's secret.
  const secrets = [
    url.pathname.length > 1 ? url.pathname : undefined,
    url.search.slice(1),
    url.username,
    url.password,
    ...Object.values(headers),
  ];
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
