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
      'A GitHub or Gitea webhook delivery (application/json, at most 1 MiB), signed with the HMAC-SHA256 of its exact body: ' +
      'a push to the configured repository and ref queues a deploy; other signed deliveries are acknowledged and ignored',
    requestHeaders: [
      {
        name: 'X-Hub-Signature-256',
        description:
          'GitHub: `sha256=` and the HMAC-SHA256 of the exact body with the secret, in hex (this or `X-Gitea-Signature`)',
        example: `sha256=${'0123456789abcdef'.repeat(4)}`,
        hmacSha256Prefix: 'sha256=',
      },
      {
        name: 'X-Gitea-Signature',
        description: 'Gitea: the HMAC-SHA256 of the exact body with the secret, in hex (this or `X-Hub-Signature-256`)',
        hmacSha256Prefix: '',
      },
      {
        name: 'X-GitHub-Event',
        description: 'GitHub: the event, e.g. `push` or `ping` (this or `X-Gitea-Event`)',
        example: 'push',
      },
      { name: 'X-Gitea-Event', description: 'Gitea: the event (this or `X-GitHub-Event`)' },
      {
        name: 'X-GitHub-Delivery',
        description: 'GitHub: the delivery id, the same on a redelivery (this or `X-Gitea-Delivery`)',
        example: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      },
      { name: 'X-Gitea-Delivery', description: 'Gitea: the delivery id (this or `X-GitHub-Delivery`)' },
    ],
    documentedBody: PushEvent,
    response: WebhookAnswer,
    status: 202,
    auth: false,
    authentication:
      'the signature header, always (tokens do not apply): a missing or wrong signature is `401 unauthorized`, checked on the exact body (read up to the body limit) before anything else of it.',
    errors: ['unauthorized', 'unsupported_media_type'],
    errorDescriptions: {
      unauthorized:
        "The signature header (`X-Hub-Signature-256`, or `X-Gitea-Signature`) is missing, or is not the HMAC-SHA256 of the exact body under any of the hook's secrets.",
    },
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
