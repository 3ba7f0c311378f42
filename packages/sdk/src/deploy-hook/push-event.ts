import { z } from 'zod';
import { FleetError } from '../errors.ts';
import { JsonValue } from '../schemas/common.ts';
import { described } from '../schemas/fields.ts';
import { headerValue, type WebhookHeaders } from './internal/header-value.ts';

/**
 * The fields of a GitHub or Gitea push event the webhook reads (both forges send the same shape;
 * other fields are kept, each a JSON value nested at most `MAX_JSON_DEPTH` levels, as in every
 * other body). `pusher` is `{ name }` on GitHub, `{ login, username }` on Gitea.
 */
export const PushEvent = z
  .object({
    ref: described(z.string().min(1), 'The pushed ref, e.g. `refs/heads/main`'),
    after: described(
      z.string().regex(/^[0-9a-f]{7,64}$/i, 'must be a commit hash'),
      'The commit the ref now points to',
    ),
    deleted: described(z.boolean().optional(), 'True when the push deleted the ref (nothing to deploy)'),
    repository: described(
      z
        .object({
          full_name: described(z.string().min(1), 'The repository, `owner/name`'),
          clone_url: described(z.string().optional(), 'Its clone URL'),
        })
        .catchall(JsonValue),
      'The repository pushed to',
    ),
    pusher: described(
      z
        .object({
          name: described(z.string().optional(), "The pusher's name (GitHub)"),
          login: described(z.string().optional(), "The pusher's login (Gitea)"),
          username: described(z.string().optional(), "The pusher's user name (Gitea)"),
        })
        .catchall(JsonValue)
        .optional(),
      'Who pushed',
    ),
  })
  .catchall(JsonValue);
export type PushEvent = z.infer<typeof PushEvent>;

/** A delivery's envelope: its event, its id, and the JSON body (parsed, not yet checked against a schema). */
export interface WebhookDelivery {
  /** `push`, `ping`, ... from `X-Gitea-Event` or `X-GitHub-Event`. */
  event: string;
  /** From `X-Gitea-Delivery` or `X-GitHub-Delivery`; the same again on a redelivery. */
  deliveryId: string;
  /** The parsed JSON body. */
  payload: unknown;
}

/** True for `application/json` or a `+json` type. */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/** The validation issue of a missing delivery header. */
function missingHeader(field: string, names: string) {
  return { field, message: `required (${names})`, code: 'invalid_type' };
}

/**
 * Reads a signed delivery's event, id and JSON body. Throws a `FleetError`: `unsupported_media_type`
 * unless the content type is JSON (Gitea signs the JSON even when it sends a form, so forms are
 * refused), `invalid_json`, or `validation_failed` when the event or delivery header is missing
 * (each an issue whose field is the GitHub header's name, e.g. `x-github-event`).
 */
export function readWebhookDelivery(rawBody: Uint8Array, headers: WebhookHeaders): WebhookDelivery {
  const contentType = headerValue(headers, 'content-type');
  if (!isJson(contentType)) {
    throw new FleetError(
      'unsupported_media_type',
      `Webhook body must be application/json, not ${contentType ?? 'untyped'}: set the hook's content type to JSON`,
    );
  }
  const event = headerValue(headers, 'x-gitea-event') ?? headerValue(headers, 'x-github-event');
  const deliveryId = headerValue(headers, 'x-gitea-delivery') ?? headerValue(headers, 'x-github-delivery');
  const issues = [
    ...(event ? [] : [missingHeader('x-github-event', 'X-GitHub-Event or X-Gitea-Event')]),
    ...(deliveryId ? [] : [missingHeader('x-github-delivery', 'X-GitHub-Delivery or X-Gitea-Delivery')]),
  ];
  if (!event || !deliveryId) {
    // Issues as every bad request has them, the header as the field: `x-github-event: required (...)`.
    const [first] = issues;
    const more = issues.length > 1 ? ' (and 1 more issue)' : '';
    throw new FleetError('validation_failed', `${first?.field}: ${first?.message}${more}`, { details: { issues } });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength).toString('utf8'));
  } catch {
    throw new FleetError('invalid_json', 'Webhook body is not valid JSON');
  }
  return { event, deliveryId, payload };
}

/** Who pushed, as the forge names them. */
export function pusherName(push: PushEvent): string | undefined {
  return push.pusher?.login ?? push.pusher?.username ?? push.pusher?.name;
}
