import { defineRoute } from '../contract/route.ts';
import { PushEvent } from './push-event.ts';
import { DeployHookDeploys, DeployHookDeploysQuery, WebhookAnswer } from './schemas.ts';

/**
 * The deploy webhook's routes (besides the common `/health`, `/openapi.json` and `/metrics`).
 * `POST /webhook` takes a forge's JSON event as it was signed: its push event is documented
 * (`documentedBody`) but not read by the plumbing, since the server checks the HMAC over the exact
 * bytes before it parses them, and it needs no bearer token, the signature is its authentication.
 */
export const deployHookRoutes = {
  webhook: defineRoute({
    method: 'POST',
    path: '/webhook',
    summary:
      'A GitHub or Gitea webhook delivery (application/json, at most 1 MiB), signed with `X-Hub-Signature-256: sha256=HEX` ' +
      '(GitHub) or `X-Gitea-Signature: HEX` (Gitea), the HMAC-SHA256 of the exact body, with the event in `X-GitHub-Event` or `X-Gitea-Event` ' +
      'and its id in `X-GitHub-Delivery` or `X-Gitea-Delivery`: a push to the configured repository and ref queues a deploy',
    documentedBody: PushEvent,
    response: WebhookAnswer,
    status: 202,
    auth: false,
    errors: ['unauthorized', 'unsupported_media_type'],
    example: {
      body: {
        ref: 'refs/heads/main',
        after: 'ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12',
        repository: { full_name: 'ops/fleet' },
        pusher: { name: 'ada' },
      },
    },
  }),
  deploys: defineRoute({
    method: 'GET',
    path: '/deploys',
    summary:
      "Recent deploys, newest first: the webhook's own (queued, running, and their results) and the deployer's " +
      'history on the lock host (every run, whatever started it)',
    query: DeployHookDeploysQuery,
    response: DeployHookDeploys,
  }),
} as const;

/** The deploy webhook's route table, by name. */
export type DeployHookRoutes = typeof deployHookRoutes;
