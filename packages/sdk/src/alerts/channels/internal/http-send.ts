import type { ChannelSendOptions } from '../alert-channel.ts';
import { ChannelError } from '../channel-error.ts';
import { startDeadline } from './deadline.ts';
import { originOf } from './origin-of.ts';
import { redactReply } from './redact-reply.ts';

/** One request a channel makes. */
export interface ChannelRequest {
  /** E.g. `ntfy channel "phone"`, the start of every error message. */
  label: string;
  channel: string;
  method: 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body: string;
  /**
   * Values never to show in an error message (tokens, the URL's secret parts): the receiver's
   * answer is quoted with each of them, and any word of 8 or more characters inside one, as `***`.
   */
  secrets: readonly (string | undefined)[];
}

const MAX_DETAIL = 200;

// 408 and 429 are the receiver asking for a later try; other 4xx will fail the same way again.
function retryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * Sends one request with the send's timeout, and resolves when the receiver answers 2xx; any
 * other outcome rejects with a ChannelError. Redirects are not followed: a POST that is
 * redirected would lose its body or its Authorization header.
 */
export async function sendHttp(request: ChannelRequest, options?: ChannelSendOptions): Promise<void> {
  const deadline = startDeadline(options);
  const { label, channel } = request;
  const where = originOf(request.url);
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: { 'user-agent': 'fleet-alerts', ...request.headers },
      body: request.body,
      redirect: 'manual',
      signal: deadline.signal,
    });
  } catch (error) {
    throw deadline.failure(channel, label, () => {
      const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
      const reason = typeof cause?.code === 'string' ? cause.code : String(cause?.message ?? error);
      return new ChannelError('network', `${label}: cannot reach ${where}: ${redactReply(reason, request.secrets)}`, {
        channel,
        retryable: true,
        cause: error,
      });
    });
  }
  // A 2xx means the receiver took the alert, whatever happens to the rest of its answer.
  if (response.ok) {
    await response.body?.cancel().catch(() => undefined);
    return;
  }
  const detail = await response.text().then(
    (text) => text.replace(/\s+/g, ' ').trim().slice(0, MAX_DETAIL),
    () => '',
  );
  const status = response.status;
  const shown = detail === '' ? '' : `: ${redactReply(detail, request.secrets)}`;
  const after = retryAfterMs(response.headers.get('retry-after'));
  throw new ChannelError('http_error', `${label}: HTTP ${status} from ${where}${shown}`, {
    channel,
    retryable: retryableStatus(status),
    status,
    ...(after === undefined ? {} : { retryAfterMs: after }),
  });
}
