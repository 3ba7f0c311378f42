import { z } from 'zod';
import { Timestamp } from '../schemas/common.ts';
import { described } from '../schemas/fields.ts';
import { lazyShape } from '../schemas/lazy-shape.ts';
import { listOf } from '../schemas/list.ts';

/**
 * The answer of `POST /webhook` (202): whether the delivery queued a deploy, and if not, why it was
 * acknowledged and ignored (another event, ref or repository, a replay, a commit already deployed).
 */
export const WebhookAnswer = z.object(
  lazyShape(() => ({
    accepted: described(z.boolean(), 'True when the delivery queued a deploy'),
    reason: described(z.string().optional(), 'Why it was ignored, or that it joined a queued deploy'),
    event: described(z.string().optional(), 'The event header (`push`, `ping`, ...)'),
    deliveryId: described(z.string().optional(), 'The delivery id header'),
    commit: described(z.string().optional(), 'The pushed commit (`after`)'),
  })),
);
export type WebhookAnswer = z.infer<typeof WebhookAnswer>;

/**
 * Where a deploy of the webhook stands: `queued` (waiting for the running one), `running`, its
 * result (`ok`, `changed`, `failed`, `aborted`), or `superseded` by a newer push before it started.
 */
export const DeployHookJobStatus = z.enum(['queued', 'running', 'ok', 'changed', 'failed', 'aborted', 'superseded']);
export type DeployHookJobStatus = z.infer<typeof DeployHookJobStatus>;

/** One deploy the webhook queued, as `GET /deploys` lists it. */
export const DeployHookJob = z.object(
  lazyShape(() => ({
    commit: described(z.string(), 'The commit deployed'),
    deliveryId: described(z.string(), 'The delivery that queued it'),
    pusher: described(z.string().optional(), 'Who pushed, as the forge names them'),
    status: DeployHookJobStatus,
    queuedAt: Timestamp,
    startedAt: described(Timestamp.optional(), 'When the deploy started'),
    finishedAt: described(Timestamp.optional(), 'When the deploy finished'),
    error: described(z.string().optional(), 'Why the deploy function threw'),
  })),
);
export type DeployHookJob = z.infer<typeof DeployHookJob>;

/** The answer of `GET /deploys`: the webhook's recent deploys, newest first. */
export const DeployHookJobList = listOf('jobs', DeployHookJob, "The webhook's deploys, newest first");
export type DeployHookJobList = z.infer<typeof DeployHookJobList>;
