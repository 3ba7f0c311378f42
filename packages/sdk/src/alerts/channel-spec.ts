import { z } from 'zod';
import type { AlertChannel } from './channels/alert-channel.ts';
import { createEmailChannel, EmailChannelSpec } from './channels/email-channel.ts';
import { createMatrixChannel, MatrixChannelSpec } from './channels/matrix-channel.ts';
import { createNtfyChannel, NtfyChannelSpec } from './channels/ntfy-channel.ts';
import { createSlackChannel, SlackChannelSpec } from './channels/slack-channel.ts';
import { createWebhookChannel, WebhookChannelSpec } from './channels/webhook-channel.ts';

export type { AlertChannel, ChannelSendOptions, ChannelType } from './channels/alert-channel.ts';
export { DEFAULT_CHANNEL_TIMEOUT_MS } from './channels/alert-channel.ts';
export { EmailChannelSpec, MatrixChannelSpec, NtfyChannelSpec, SlackChannelSpec, WebhookChannelSpec };

const CHANNEL_TYPES = ['webhook', 'ntfy', 'matrix', 'slack', 'email'] as const;

/**
 * One entry of `channels:` in a fleet file's `alerts` block: where alerts go. Secrets (tokens,
 * passwords, a Slack webhook URL) are written as `${ENV}` references, which the loader resolves.
 * @example { type: 'ntfy', url: 'https://ntfy.sh', topic: 'fleet-ops', token: '${NTFY_TOKEN}' }
 */
export const ChannelSpec = z.discriminatedUnion(
  'type',
  [WebhookChannelSpec, NtfyChannelSpec, MatrixChannelSpec, SlackChannelSpec, EmailChannelSpec],
  {
    error: (issue) => (issue.code === 'invalid_union' ? `must be one of ${CHANNEL_TYPES.join(', ')}` : undefined),
  },
);
export type ChannelSpec = z.infer<typeof ChannelSpec>;
/** A channel spec as written, before defaults and transforms. */
export type ChannelSpecInput = z.input<typeof ChannelSpec>;

/**
 * The channel a parsed {@link ChannelSpec} describes, named as in the fleet file. Building one
 * opens no connection; each `send` makes its own.
 * @example
 * const phone = createChannel('phone', ChannelSpec.parse({ type: 'ntfy', url: 'https://ntfy.sh', topic: 'fleet-ops' }));
 * await phone.send(message, { timeoutMs: 5000 });
 */
export function createChannel(name: string, spec: ChannelSpec): AlertChannel {
  switch (spec.type) {
    case 'webhook':
      return createWebhookChannel(name, spec);
    case 'ntfy':
      return createNtfyChannel(name, spec);
    case 'matrix':
      return createMatrixChannel(name, spec);
    case 'slack':
      return createSlackChannel(name, spec);
    case 'email':
      return createEmailChannel(name, spec);
  }
}
