import { z } from 'zod';
import type { AlertMessage } from '../alert-message.ts';
import type { AlertChannel } from './alert-channel.ts';
import { HttpUrl } from './internal/fields.ts';
import { sendHttp } from './internal/http-send.ts';
import { plainText } from './internal/render.ts';
import { urlSecrets } from './internal/secret-parts.ts';

/** A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat): `{"text": ...}` is POSTed. */
export const SlackChannelSpec = z.strictObject({
  type: z.literal('slack'),
  /** The incoming webhook URL; it is a secret, so write it as an `${ENV}` reference. */
  url: HttpUrl,
});
export type SlackChannelSpec = z.infer<typeof SlackChannelSpec>;

// Slack's mrkdwn reads &, < and > as markup: these three are all it asks to escape.
function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function slackText(message: AlertMessage): string {
  const title = `*${escapeMrkdwn(message.title)}*`;
  // A report's aligned columns survive only in a code block.
  if (message.kind === 'report') return `${title}\n\`\`\`\n${escapeMrkdwn(plainText(message))}\n\`\`\``;
  return `${title}\n${escapeMrkdwn(plainText(message))}`;
}

/**
 * A channel that POSTs `{"text": ...}` to a Slack-compatible incoming webhook (Slack, Mattermost,
 * Rocket.Chat, Discord's `/slack` endpoint): the title in bold, then the text (a report's in a
 * code block). Its errors quote the receiver's answer without any part of the URL's path or query
 * (`urlSecrets`).
 */
export function createSlackChannel(name: string, spec: SlackChannelSpec): AlertChannel {
  // Slack's webhook URL is itself the secret: its path and query, and each part of them, are never shown.
  const secrets = urlSecrets(spec.url);
  return {
    name,
    type: 'slack',
    send: (message, options) =>
      sendHttp(
        {
          label: `slack channel "${name}"`,
          channel: name,
          method: 'POST',
          url: spec.url,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: slackText(message) }),
          secrets,
        },
        options,
      ),
  };
}
