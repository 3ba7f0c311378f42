import { z } from 'zod';
import { intFromQuery, Timestamp } from '../schemas/common.ts';
import { described } from '../schemas/fields.ts';
import { lazyShape } from '../schemas/lazy-shape.ts';
import { listFields, listOf } from '../schemas/list.ts';

/**
 * The answer of `POST /webhook` (202): whether the delivery queued a deploy, and if not, why it was
 * acknowledged and ignored (another event, ref or repository, a replay, the commit deployed last).
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
    status: described(
      DeployHookJobStatus,
      '`queued`, `running`, how it ended (`ok`, `changed`, `failed`, `aborted`), or `superseded` by a newer push',
    ),
    queuedAt: described(Timestamp, 'When the push queued it'),
    startedAt: described(Timestamp.optional(), 'When the deploy started'),
    finishedAt: described(Timestamp.optional(), 'When the deploy finished'),
    error: described(z.string().optional(), 'Why the deploy function threw'),
  })),
);
export type DeployHookJob = z.infer<typeof DeployHookJob>;

/** The answer of `GET /deploys`: the webhook's recent deploys, newest first. */
export const DeployHookJobList = listOf('jobs', DeployHookJob, "The webhook's deploys, newest first");
export type DeployHookJobList = z.infer<typeof DeployHookJobList>;

/**
 * One run of the deployer's history (the JSON Lines file on the fleet's lock host), as
 * `GET /deploys` lists it: who ran what, how it ended and each host's result, without the step
 * results (`fleet deploy history --json` has them). Every deploy counts, not only the webhook's.
 */
export const DeployHookHistoryRun = z.object(
  lazyShape(() => ({
    id: described(z.string(), 'The run id, as the deploy lock names it'),
    trigger: described(z.string(), 'What started it: `cli`, `webhook`, `rollback`, ...'),
    user: described(z.string(), 'Who started it'),
    from: described(z.string(), 'The machine it ran from'),
    commit: described(z.string().optional(), 'The commit deployed'),
    message: described(z.string().optional(), 'Why, in a few words'),
    mode: described(z.enum(['plan', 'apply']), '`apply` changes the hosts, `plan` only says what would change'),
    startedAt: described(z.iso.datetime(), 'When the run started'),
    finishedAt: described(z.iso.datetime(), 'When the run finished'),
    durationMs: described(z.number().check(z.nonnegative()), 'How long it took'),
    status: described(z.enum(['ok', 'changed', 'failed', 'aborted']), 'How the run ended'),
    error: described(z.string().optional(), 'Why the run as a whole failed (the lock was held, the plan invalid)'),
    hosts: described(
      z.array(
        z.object({
          host: described(z.string(), 'The host, as the fleet file names it'),
          status: described(z.enum(['ok', 'changed', 'failed']), 'Its result'),
          aborted: described(z.boolean(), 'Its deploy was stopped before it finished'),
          durationMs: described(z.number().check(z.nonnegative()), 'How long its deploy took'),
        }),
      ),
      'Each host of the run and its result',
    ),
  })),
);
export type DeployHookHistoryRun = z.infer<typeof DeployHookHistoryRun>;

/**
 * The answer of `GET /deploys`: the webhook's own deploys (`jobs`, `count`) and the deployer's
 * history (`history`), each newest first. When the history could not be read (the lock host is
 * unreachable), `history` is absent and `historyError` says why; the jobs are there either way.
 */
export const DeployHookDeploys = z.object(
  lazyShape(() => ({
    ...listFields('jobs', DeployHookJob, "The webhook's deploys, newest first"),
    history: described(
      z.array(DeployHookHistoryRun).optional(),
      "The deployer's recorded runs on the lock host, newest first (every trigger); absent when the hook has no history or it could not be read",
    ),
    historyError: described(z.string().optional(), 'Why the history could not be read'),
  })),
);
export type DeployHookDeploys = z.infer<typeof DeployHookDeploys>;

/** Query of `GET /deploys`. */
export const DeployHookDeploysQuery = z.strictObject(
  lazyShape(() => ({
    limit: intFromQuery({
      min: 1,
      max: 1000,
      default: 20,
      description: 'At most this many jobs and this many history runs, newest first',
    }),
  })),
);
export type DeployHookDeploysQuery = z.infer<typeof DeployHookDeploysQuery>;
