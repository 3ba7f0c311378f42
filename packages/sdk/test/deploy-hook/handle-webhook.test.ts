import { describe, expect, test } from 'vitest';
import { DeployQueue } from '../../src/deploy-hook/deploy-queue.ts';
import { handleWebhook } from '../../src/deploy-hook/handle-webhook.ts';
import { signWebhookBody } from '../../src/deploy-hook/verify-signature.ts';
import { FleetError } from '../../src/errors.ts';

const SECRET = 'hook-secret';
const target = { secrets: [SECRET], repository: 'ops/fleet', ref: 'main' };
const COMMIT = 'a'.repeat(40);

function push(overrides: Record<string, unknown> = {}) {
  return {
    ref: 'refs/heads/main',
    after: COMMIT,
    repository: { full_name: 'ops/fleet', clone_url: 'https://git.example/ops/fleet.git' },
    pusher: { name: 'ada' },
    ...overrides,
  };
}

/** A signed GitHub-style delivery of `payload` (or of the exact `text`). */
function delivery(payload: unknown, headers: Record<string, string> = {}, text = JSON.stringify(payload)) {
  const rawBody = new TextEncoder().encode(text);
  return {
    rawBody,
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': 'delivery-1',
      'x-hub-signature-256': signWebhookBody(SECRET, rawBody),
      ...headers,
    },
  };
}

function newQueue() {
  const deployed: string[] = [];
  const queue = new DeployQueue({
    deploy: async ({ commit }) => {
      deployed.push(commit);
      return { status: 'ok' };
    },
  });
  return { queue, deployed };
}

function refusal(run: () => unknown): { code: string; message: string; details: unknown } {
  try {
    run();
  } catch (error) {
    if (error instanceof FleetError) return { code: error.code, message: error.message, details: error.details };
    throw error;
  }
  throw new Error('expected a FleetError');
}

describe('handleWebhook', () => {
  test('a signed push to the repository and ref queues a deploy of its commit', async () => {
    const { queue, deployed } = newQueue();
    expect(handleWebhook(delivery(push()), target, queue)).toEqual({
      accepted: true,
      event: 'push',
      deliveryId: 'delivery-1',
      commit: COMMIT,
    });
    await queue.idle();
    expect(deployed).toEqual([COMMIT]);
    expect(queue.jobs()[0]).toMatchObject({ commit: COMMIT, deliveryId: 'delivery-1', pusher: 'ada', status: 'ok' });
  });

  test('signed pushes of A, then B, then a force-push back to A deploy A again', async () => {
    const { queue, deployed } = newQueue();
    const B = 'b'.repeat(40);
    const answers = [];
    // As a forge sends them: each push names the commit it moved the ref from, so the force-push is a new body.
    const pushes = [push({ before: '0'.repeat(40) }), push({ before: COMMIT, after: B }), push({ before: B })];
    for (const [n, payload] of pushes.entries()) {
      answers.push(handleWebhook(delivery(payload, { 'x-github-delivery': `delivery-${n}` }), target, queue));
      await queue.idle();
    }
    expect(answers.map((answer) => answer.accepted)).toEqual([true, true, true]);
    expect(deployed).toEqual([COMMIT, B, COMMIT]);
    // A redelivery of the rollback's delivery is still a replay.
    expect(handleWebhook(delivery(pushes[2], { 'x-github-delivery': 'delivery-2' }), target, queue)).toMatchObject({
      accepted: false,
      reason: 'delivery already handled (deploy ok)',
    });
  });

  test('a signed body resent under a new delivery id is a replay: B is not rolled back to A', async () => {
    const { queue, deployed } = newQueue();
    const B = 'b'.repeat(40);
    const first = delivery(push({ before: '0'.repeat(40) }), { 'x-github-delivery': 'id-1' });
    expect(handleWebhook(first, target, queue).accepted).toBe(true);
    await queue.idle();
    const second = delivery(push({ before: COMMIT, after: B }), { 'x-github-delivery': 'id-2' });
    expect(handleWebhook(second, target, queue).accepted).toBe(true);
    await queue.idle();
    const replay = { ...first, headers: { ...first.headers, 'x-github-delivery': 'id-1-replayed' } };
    expect(handleWebhook(replay, target, queue)).toEqual({
      accepted: false,
      reason: 'delivery already handled under another id (deploy ok)',
      event: 'push',
      deliveryId: 'id-1-replayed',
      commit: COMMIT,
    });
    await queue.idle();
    expect(deployed).toEqual([COMMIT, B]);
  });

  test("a Gitea push (its own headers, pusher login) is read like GitHub's", async () => {
    const { queue } = newQueue();
    const payload = push({ pusher: { login: 'grace', username: 'grace', email: 'g@example' } });
    const { rawBody } = delivery(payload);
    const hex = signWebhookBody(SECRET, rawBody).slice('sha256='.length);
    const headers = {
      'content-type': 'application/json',
      'x-gitea-event': 'push',
      'x-gitea-delivery': '3f0a0e4e-1111-4c2b-9d7e-5b0e2f0c0d01',
      'x-gitea-signature': hex,
    };
    expect(handleWebhook({ rawBody, headers }, target, queue)).toMatchObject({
      accepted: true,
      deliveryId: '3f0a0e4e-1111-4c2b-9d7e-5b0e2f0c0d01',
    });
    await queue.idle();
    expect(queue.jobs()[0]?.pusher).toBe('grace');
  });

  test.each([
    ['a ping', delivery({ zen: 'hi' }, { 'x-github-event': 'ping' }), 'ping events do not deploy'],
    ['another ref', delivery(push({ ref: 'refs/heads/dev' })), 'push to refs/heads/dev, not refs/heads/main'],
    [
      'another repository',
      delivery(push({ repository: { full_name: 'someone/else' } })),
      'push to someone/else, not ops/fleet',
    ],
    ['a deleted branch', delivery(push({ deleted: true, after: '0'.repeat(40) })), 'refs/heads/main was deleted'],
  ])('%s is acknowledged and ignored with the reason', (_, request, reason) => {
    const { queue } = newQueue();
    expect(handleWebhook(request, target, queue)).toMatchObject({ accepted: false, reason });
    expect(queue.jobs()).toEqual([]);
  });

  test('the signature is checked before anything else: an unsigned non-JSON body is unauthorized', () => {
    const { queue } = newQueue();
    const request = delivery(undefined, { 'x-hub-signature-256': signWebhookBody('wrong', 'x') }, 'not json');
    expect(refusal(() => handleWebhook(request, target, queue))).toMatchObject({
      code: 'unauthorized',
      message: 'Webhook refused: signature does not match the body',
    });
    expect(queue.jobs()).toEqual([]);
  });

  test('a signed body that is not JSON, a form, or a push without its fields is refused', () => {
    const { queue } = newQueue();
    expect(refusal(() => handleWebhook(delivery(undefined, {}, '{"ref":'), target, queue)).code).toBe('invalid_json');
    const form = delivery(push(), { 'content-type': 'application/x-www-form-urlencoded' });
    expect(refusal(() => handleWebhook(form, target, queue)).code).toBe('unsupported_media_type');
    expect(refusal(() => handleWebhook(delivery({ ref: 'refs/heads/main' }), target, queue))).toMatchObject({
      code: 'validation_failed',
      details: { issues: expect.arrayContaining([expect.objectContaining({ field: 'after' })]) },
    });
    expect(queue.jobs()).toEqual([]);
  });

  test('a push without its fields is refused like any bad body: the message and issues name the field', () => {
    const { queue } = newQueue();
    expect(refusal(() => handleWebhook(delivery(push({ after: 'main' })), target, queue))).toEqual({
      code: 'validation_failed',
      message: 'after: must be a commit hash',
      details: { issues: [{ field: 'after', message: 'must be a commit hash', code: 'invalid_format' }] },
    });
    // Fields the webhook does not read are kept, but nested no deeper than any JSON body may be.
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const text = JSON.stringify(push({ pusher: { name: 'ada', extra: 0 } })).replace('0', deep);
    expect(refusal(() => handleWebhook(delivery(undefined, {}, text), target, queue))).toMatchObject({
      message: 'pusher.extra: must be a JSON value nested at most 128 levels deep (arrays and objects)',
    });
    // A missing event or delivery header is an issue of its own, named as the header.
    expect(refusal(() => handleWebhook(delivery(push(), { 'x-github-event': '' }), target, queue))).toEqual({
      code: 'validation_failed',
      message: 'x-github-event: required (X-GitHub-Event or X-Gitea-Event)',
      details: {
        issues: [
          { field: 'x-github-event', message: 'required (X-GitHub-Event or X-Gitea-Event)', code: 'invalid_type' },
        ],
      },
    });
    // A body that is no object at all names the body, not an empty field.
    expect(refusal(() => handleWebhook(delivery([[]]), target, queue))).toMatchObject({
      message: 'body: Invalid input: expected object, received array',
      details: { issues: [{ field: 'body', code: 'invalid_type' }] },
    });
    expect(queue.jobs()).toEqual([]);
  });
});
