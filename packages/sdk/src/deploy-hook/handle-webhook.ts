import { createHash } from 'node:crypto';
import { FleetError } from '../errors.ts';
import { validationError } from '../server/validate.ts';
import type { DeployQueue } from './deploy-queue.ts';
import type { WebhookHeaders } from './internal/header-value.ts';
import { PushEvent, pusherName, readWebhookDelivery } from './push-event.ts';
import type { WebhookAnswer } from './schemas.ts';
import { verifyWebhookSignature } from './verify-signature.ts';

/** What a webhook deploys on: the signing secrets, and which pushes count. */
export interface WebhookTarget {
  /** The active secrets: one, or two while rotating. */
  secrets: readonly string[];
  /** The repository, `owner/name` (compared without regard to case). */
  repository: string;
  /** The ref whose pushes deploy, e.g. `refs/heads/main` (a bare branch name means `refs/heads/<name>`). */
  ref: string;
}

/** The full ref a configured ref stands for: `main` -> `refs/heads/main`. */
export function fullRef(ref: string): string {
  return ref.startsWith('refs/') ? ref : `refs/heads/${ref}`;
}

/**
 * Handles one webhook delivery: checks the signature over the exact bytes, reads the event, and
 * offers a push to the configured repository and ref to the queue, with the SHA-256 of its exact
 * body (a signed body resent under a new delivery id is a replay the queue refuses). Every other
 * signed delivery is acknowledged and ignored, with the reason. Throws a `FleetError` the server answers with: `unauthorized`
 * for a missing or wrong signature (checked first, before the body is parsed; nothing is queued),
 * `unsupported_media_type`, `invalid_json`, or `validation_failed` for a push payload that is not one
 * (its issues and message as every route's bad body: `after: must be a commit hash`).
 *
 * @example
 * implement(deployHookRoutes.webhook, async (ctx) =>
 *   handleWebhook({ rawBody: await ctx.rawBody(), headers: ctx.event.req.headers }, target, queue));
 */
export function handleWebhook(
  request: { rawBody: Uint8Array; headers: WebhookHeaders },
  target: WebhookTarget,
  queue: DeployQueue,
): WebhookAnswer {
  const check = verifyWebhookSignature({ rawBody: request.rawBody, headers: request.headers, secrets: target.secrets });
  if (!check.ok) throw new FleetError('unauthorized', `Webhook refused: ${check.reason}`);
  const { event, deliveryId, payload } = readWebhookDelivery(request.rawBody, request.headers);
  const ignored = (reason: string, commit?: string): WebhookAnswer => ({
    accepted: false,
    reason,
    event,
    deliveryId,
    ...(commit === undefined ? {} : { commit }),
  });
  if (event !== 'push') return ignored(`${event} events do not deploy`);
  const parsed = PushEvent.safeParse(payload);
  if (!parsed.success) {
    // The issues and message of every other route's bad body: `after: must be a commit hash`.
    const refused = validationError(parsed.error, 'body');
    throw new FleetError('validation_failed', refused.message, {
      ...(refused.details === undefined ? {} : { details: refused.details }),
    });
  }
  const push = parsed.data;
  const commit = push.after.toLowerCase();
  if (push.repository.full_name.toLowerCase() !== target.repository.toLowerCase()) {
    return ignored(`push to ${push.repository.full_name}, not ${target.repository}`, commit);
  }
  const ref = fullRef(target.ref);
  if (push.ref !== ref) return ignored(`push to ${push.ref}, not ${ref}`, commit);
  if (push.deleted === true || /^0+$/.test(commit)) return ignored(`${push.ref} was deleted`, commit);
  const pusher = pusherName(push);
  // The signature covers the body, not the delivery id header: the queue also knows a replay by its body.
  const bodyDigest = createHash('sha256').update(request.rawBody).digest('hex');
  const offer = queue.offer({ commit, deliveryId, ...(pusher === undefined ? {} : { pusher }) }, bodyDigest);
  return {
    accepted: offer.accepted,
    ...(offer.reason === undefined ? {} : { reason: offer.reason }),
    event,
    deliveryId,
    commit,
  };
}
