import { z } from 'zod';
import { httpUrlWithoutCredentials } from '../../../schemas/http-url.ts';

export const TOPIC_HINT = 'must be 1-64 letters, digits, "_" or "-" (an ntfy topic)';
export const ROOM_HINT =
  'must be a room id such as "!abc123:matrix.example.org" (Element: Room settings > Advanced > Internal room ID), not an alias';
const PRIORITY_HINT = 'must be 1 to 5, or min, low, default, high, max or urgent';
const HEADER_NAME_HINT = "must be an HTTP header name: letters, digits and !#$%&'*+.^_`|~-";
const HEADER_VALUE_HINT = 'must be printable ASCII on one line';
const ADDRESS_HINT = 'must be an email address, e.g. alerts@example.org or "Fleet <alerts@example.org>"';

export const HttpUrl = httpUrlWithoutCredentials(
  "must not include credentials (user:password@): give the channel's token (or a webhook's headers) instead",
);

export const HeaderName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, HEADER_NAME_HINT);
export const HeaderValue = z.string({ error: HEADER_VALUE_HINT }).regex(/^[\x20-\x7e\t]*$/, HEADER_VALUE_HINT);

const MAILBOX = /^\s*(?:[^<>]*<([^<>\s]+)>|([^<>\s]+))\s*$/;
/** An email address, bare or with a display name (`Fleet <alerts@example.org>`). */
export const MailAddress = z
  .string({ error: ADDRESS_HINT })
  .refine((text) => /^[^\s@]+@[^\s@]+$/.test(MAILBOX.exec(text)?.slice(1).find(Boolean) ?? ''), ADDRESS_HINT);

const PRIORITY_NAMES = { min: 1, low: 2, default: 3, high: 4, max: 5, urgent: 5 } as const;
export const NtfyPriority = z
  .union([
    z.number({ error: PRIORITY_HINT }).int(PRIORITY_HINT).min(1, PRIORITY_HINT).max(5, PRIORITY_HINT),
    z
      .enum(['min', 'low', 'default', 'high', 'max', 'urgent'], { error: PRIORITY_HINT })
      .transform((name) => PRIORITY_NAMES[name]),
  ])
  .describe('ntfy priority, 1 (min) to 5 (max)');
