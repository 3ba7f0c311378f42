import { z } from 'zod';
import { Token } from '../../fleet/fields.ts';
import type { AlertMessage, AlertSeverity } from '../alert-message.ts';
import type { AlertChannel } from './alert-channel.ts';
import { HttpUrl, NtfyPriority, TOPIC_HINT } from './internal/fields.ts';
import { sendHttp } from './internal/http-send.ts';
import { headerText, plainText, truncateLines } from './internal/render.ts';
import { urlSecrets } from './internal/secret-parts.ts';

/** An ntfy topic: the text is POSTed to `<url>/<topic>` with Title, Priority and Tags headers. */
export const NtfyChannelSpec = z.strictObject({
  type: z.literal('ntfy'),
  /** The ntfy server. @example 'https://ntfy.sh' */
  url: HttpUrl,
  topic: z.string({ error: TOPIC_HINT }).regex(/^[-_A-Za-z0-9]{1,64}$/, TOPIC_HINT),
  /** An access token of the server, sent as `Authorization: Bearer`. */
  token: Token.optional(),
  /** Overrides the priority that follows from the alert's severity (critical 5, warning 4, info 3). */
  priority: NtfyPriority.optional(),
});
export type NtfyChannelSpec = z.infer<typeof NtfyChannelSpec>;

const PRIORITY: Record<AlertSeverity, number> = { critical: 5, warning: 4, info: 3 };

// ntfy shows tags that name an emoji as that emoji in front of the title.
const EMOJI: Record<AlertMessage['kind'], string> = {
  down: 'rotating_light',
  degraded: 'warning',
  recovered: 'white_check_mark',
  reminder: 'hourglass',
  host_down: 'rotating_light',
  host_recovered: 'white_check_mark',
  deploy_failed: 'x',
  dead_letters: 'envelope',
  sync_lag: 'turtle',
  test: 'bell',
  report: 'clipboard',
};

/** What an ntfy server accepts as a message by default (`message-size-limit`); more becomes an attachment. */
const MESSAGE_LIMIT_BYTES = 4096;
const TRUNCATED = '… (truncated: run fleet report for the whole report)';

/**
 * A channel that publishes each alert to an ntfy topic: the text POSTed to `<url>/<topic>`, with
 * Title, Priority (critical 5, warning 4, info 3, unless the spec sets one), Tags (an emoji and
 * the kind) and Click (the alert's link) headers, and the token as `Authorization: Bearer`. A text
 * over ntfy's 4096-byte message limit (a long report) is cut on a line boundary, saying so.
 */
export function createNtfyChannel(name: string, spec: NtfyChannelSpec): AlertChannel {
  const url = `${spec.url.replace(/\/+$/, '')}/${encodeURIComponent(spec.topic)}`;
  const auth: Record<string, string> = spec.token === undefined ? {} : { authorization: `Bearer ${spec.token}` };
  return {
    name,
    type: 'ntfy',
    send: (message, options) =>
      sendHttp(
        {
          label: `ntfy channel "${name}"`,
          channel: name,
          method: 'POST',
          url,
          headers: {
            ...auth,
            'content-type': 'text/plain; charset=utf-8',
            title: headerText(message.title),
            priority: String(spec.priority ?? PRIORITY[message.severity]),
            tags: `${EMOJI[message.kind]},${message.kind}`,
            ...(message.url === undefined ? {} : { click: headerText(message.url) }),
          },
          body: truncateLines(plainText(message), MESSAGE_LIMIT_BYTES, TRUNCATED),
          // The topic is the URL's path, and on a public server whoever knows it may read and post.
          secrets: [spec.token, ...urlSecrets(url)],
        },
        options,
      ),
  };
}
