import { z } from 'zod';
import { Address, Port } from '../../fleet/fields.ts';
import { redact } from '../../internal/redact.ts';
import type { AlertMessage } from '../alert-message.ts';
import type { AlertChannel, ChannelSendOptions } from './alert-channel.ts';
import { ChannelError } from './channel-error.ts';
import { startDeadline } from './internal/deadline.ts';
import { MailAddress } from './internal/fields.ts';
import { loadNodemailer } from './internal/load-nodemailer.ts';
import { plainText } from './internal/render.ts';

/** Email over SMTP. */
export const EmailChannelSpec = z.strictObject({
  type: z.literal('email'),
  smtp: z
    .strictObject({
      host: Address,
      /** Usually 587 (STARTTLS) or 465 (TLS). */
      port: Port,
      /** TLS from the start; otherwise STARTTLS is used when the server offers it. @default port === 465 */
      secure: z.boolean({ error: 'must be true or false' }).optional(),
      user: z.string().min(1).optional(),
      password: z.string().min(1).optional(),
    })
    .refine((smtp) => smtp.password === undefined || smtp.user !== undefined, {
      message: 'a password needs a user',
      path: ['user'],
    }),
  from: MailAddress,
  to: z.array(MailAddress).min(1, 'must list at least one address'),
});
export type EmailChannelSpec = z.infer<typeof EmailChannelSpec>;

// Problems of the configuration or the message, which the same message would meet again.
const PERMANENT = new Set(['EAUTH', 'ENOAUTH', 'ECONFIG', 'EENVELOPE', 'ETLS', 'EREQUIRETLS']);
const NETWORK = new Set(['ECONNECTION', 'ESOCKET', 'EDNS']);

interface SmtpFailure {
  code?: unknown;
  responseCode?: unknown;
  message?: unknown;
}

function smtpError(
  label: string,
  channel: string,
  error: unknown,
  secrets: readonly (string | undefined)[],
): ChannelError {
  const { code, responseCode, message } = (error ?? {}) as SmtpFailure;
  const status = typeof responseCode === 'number' ? responseCode : undefined;
  const text = `${label}: ${redact(String(message ?? error), secrets)}`;
  if (code === 'ETIMEDOUT') return new ChannelError('timeout', text, { channel, retryable: true, cause: error });
  if (status === undefined && typeof code === 'string' && NETWORK.has(code)) {
    return new ChannelError('network', text, { channel, retryable: true, cause: error });
  }
  // RFC 5321: 5yz replies are permanent, 4yz transient; 503 only says the session was out of step.
  const permanent =
    status === undefined ? typeof code === 'string' && PERMANENT.has(code) : status >= 500 && status !== 503;
  return new ChannelError('smtp_error', text, {
    channel,
    retryable: !permanent,
    ...(status === undefined ? {} : { status }),
    cause: error,
  });
}

// The same alert keeps the same Message-ID, so a mail client shows a resent alert once.
function messageId(message: AlertMessage): string {
  return `<${message.id.replace(/[^A-Za-z0-9._-]/g, '_')}@fleet.alerts>`;
}

/**
 * A channel that emails each alert over SMTP (with nodemailer, an optional peer dependency loaded
 * on the first send): the title as subject, the text as a plain-text body. TLS from the start when
 * `secure` is set (the default on port 465), STARTTLS when the server offers it otherwise.
 */
export function createEmailChannel(name: string, spec: EmailChannelSpec): AlertChannel {
  const label = `email channel "${name}"`;
  const { smtp } = spec;
  const secrets = [smtp.password];
  const send = async (message: AlertMessage, options?: ChannelSendOptions): Promise<void> => {
    let nodemailer: ReturnType<typeof loadNodemailer>;
    try {
      nodemailer = loadNodemailer();
    } catch (error) {
      throw new ChannelError('unavailable', `${label}: ${(error as Error).message}`, {
        channel: name,
        retryable: false,
        cause: error,
      });
    }
    const deadline = startDeadline(options);
    const transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure ?? smtp.port === 465,
      ...(smtp.user === undefined ? {} : { auth: { user: smtp.user, pass: smtp.password ?? '' } }),
      connectionTimeout: deadline.timeoutMs,
      greetingTimeout: deadline.timeoutMs,
      socketTimeout: deadline.timeoutMs,
    });
    try {
      await transport.sendMail({
        from: spec.from,
        to: spec.to,
        subject: message.title,
        text: plainText(message),
        messageId: messageId(message),
        // RFC 3834: no vacation auto-replies to alerts.
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Fleet-Alert-Kind': message.kind },
        signal: deadline.signal,
      });
    } catch (error) {
      throw deadline.failure(name, label, () => smtpError(label, name, error, secrets));
    } finally {
      transport.close();
    }
  };
  return { name, type: 'email', send };
}
