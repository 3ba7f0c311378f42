import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { deployHookRoutes, ErrorEnvelope, WebhookAnswer } from '@fleet/sdk';
import { runCli } from '@fleet/sdk/cli';
import type { DeployJob, DeployJobOutcome } from '@fleet/sdk/deploy';
import { afterEach, describe, expect, test, vi } from 'vitest';
import {
  fleetDeployHistory,
  type RunningDeployHookServer,
  runShellDeploy,
  startDeployHookServer,
} from '../src/index.ts';
import { deployCommand } from '../src/main.ts';

const SECRET = 'first-secret';
const NEXT_SECRET = 'second-secret';
const sha = (n: number) => n.toString(16).padStart(40, '0');

/** A deploy function the test finishes by hand: each call waits for `finish()`. */
function controlledDeploy() {
  const started: DeployJob[] = [];
  const waiting: Array<(outcome: DeployJobOutcome) => void> = [];
  const arrivals: Array<() => void> = [];
  return {
    started,
    run(job: DeployJob) {
      started.push(job);
      for (const arrived of arrivals.splice(0)) arrived();
      return new Promise<DeployJobOutcome>((resolve) => waiting.push(resolve));
    },
    async startedCount(count: number) {
      while (started.length < count) await new Promise<void>((resolve) => arrivals.push(resolve));
    },
    finish(status: DeployJobOutcome['status'] = 'changed') {
      const next = waiting.shift();
      if (!next) throw new Error('no deploy is running');
      next({ status });
    },
  };
}

const servers: RunningDeployHookServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function startHook(deploy: ReturnType<typeof controlledDeploy>, secrets = [SECRET]) {
  const hook = await startDeployHookServer({
    secrets,
    repository: 'ops/fleet',
    ref: 'refs/heads/main',
    run: (job) => deploy.run(job),
    port: 0,
  });
  servers.push(hook);
  return hook;
}

function pushBody(commit: string, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    ref: 'refs/heads/main',
    before: '0'.repeat(40),
    after: commit,
    repository: { full_name: 'ops/fleet', clone_url: 'https://git.example/ops/fleet.git' },
    pusher: { name: 'ada', email: 'ada@example' },
    ...overrides,
  });
}

const hmac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

/** POSTs a GitHub-style delivery, signed with `secret` unless told otherwise. */
async function deliver(
  url: string,
  body: string,
  options: { delivery?: string; event?: string; secret?: string | null; headers?: Record<string, string> } = {},
) {
  const secret = options.secret === undefined ? SECRET : options.secret;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': options.event ?? 'push',
    'x-github-delivery': options.delivery ?? crypto.randomUUID(),
    ...(secret === null ? {} : { 'x-hub-signature-256': `sha256=${hmac(secret, body)}` }),
    ...options.headers,
  };
  const response = await fetch(`${url}/webhook`, { method: 'POST', headers, body });
  const challenge = response.headers.get('www-authenticate') ?? undefined;
  return { status: response.status, json: (await response.json()) as unknown, challenge };
}

async function deploys(url: string) {
  const response = await fetch(`${url}/deploys`);
  return deployHookRoutes.deploys.response.parse(await response.json()).jobs;
}

describe('fleet deploy hook (real server, real HTTP, real HMAC)', () => {
  test("GitHub's test vector passes the signature check over HTTP (then fails as a body that is not JSON)", async () => {
    const control = controlledDeploy();
    const hook = await startDeployHookServer({
      secrets: ["It's a Secret to Everybody"],
      repository: 'ops/fleet',
      ref: 'main',
      run: (job) => control.run(job),
      port: 0,
    });
    servers.push(hook);
    const response = await fetch(`${hook.url}/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-github-delivery': 'vector',
        'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
      },
      body: 'Hello, World!',
    });
    // Signed correctly, so it gets past the 401: "Hello, World!" is then refused as JSON.
    expect(response.status).toBe(400);
    expect(ErrorEnvelope.parse(await response.json()).error.code).toBe('invalid_json');
  });

  test('a signed GitHub push answers 202 at once and deploys the commit in the background', async () => {
    const control = controlledDeploy();
    const hook = await startHook(control);
    const answer = await deliver(hook.url, pushBody(sha(1)), { delivery: 'gh-1' });
    expect(answer).toEqual({
      status: 202,
      json: { accepted: true, event: 'push', deliveryId: 'gh-1', commit: sha(1) },
    });
    expect(WebhookAnswer.parse(answer.json).accepted).toBe(true);
    await control.startedCount(1);
    expect(control.started).toEqual([{ commit: sha(1), deliveryId: 'gh-1', pusher: 'ada' }]);
    expect((await deploys(hook.url))[0]).toMatchObject({ commit: sha(1), status: 'running' });
    control.finish('changed');
    await hook.queue.idle();
    expect((await deploys(hook.url))[0]).toMatchObject({ commit: sha(1), status: 'changed', deliveryId: 'gh-1' });
  });

  test('a Gitea push signed with a bare hex X-Gitea-Signature deploys', async () => {
    const control = controlledDeploy();
    const hook = await startHook(control);
    const body = pushBody(sha(2), { pusher: { login: 'grace', username: 'grace', email: 'g@example' } });
    const answer = await deliver(hook.url, body, {
      secret: null,
      headers: {
        'x-gitea-event': 'push',
        'x-gitea-delivery': '3f0a0e4e-1111-4c2b-9d7e-5b0e2f0c0d01',
        'x-gitea-signature': hmac(SECRET, body),
      },
    });
    expect(answer).toMatchObject({ status: 202, json: { accepted: true, commit: sha(2) } });
    await control.startedCount(1);
    expect(control.started[0]).toEqual({
      commit: sha(2),
      deliveryId: '3f0a0e4e-1111-4c2b-9d7e-5b0e2f0c0d01',
      pusher: 'grace',
    });
    control.finish();
  });

  test('a wrong secret or no signature is 401 with the error envelope and a signature challenge, and nothing is queued', async () => {
    const control = controlledDeploy();
    const hook = await startHook(control);
    for (const secret of ['not-the-secret', null]) {
      const answer = await deliver(hook.url, pushBody(sha(3)), { secret });
      expect(answer.status).toBe(401);
      expect(ErrorEnvelope.parse(answer.json).error.code).toBe('unauthorized');
      expect(JSON.stringify(answer.json)).not.toContain(SECRET);
      // A 401 names how to authenticate: the signature headers, not a bearer token.
      expect(answer.challenge).toBe(
        'HMAC-SHA256 realm="fleet deploy hook", headers="X-Hub-Signature-256 X-Gitea-Signature"',
      );
    }
    expect(await deploys(hook.url)).toEqual([]);
    expect(control.started).toEqual([]);
  });

  test('while rotating, deliveries signed with either of two secrets are accepted', async () => {
    const control = controlledDeploy();
    const hook = await startHook(control, [SECRET, NEXT_SECRET]);
    expect((await deliver(hook.url, pushBody(sha(4)), { secret: SECRET })).status).toBe(202);
    expect((await deliver(hook.url, pushBody(sha(5)), { secret: NEXT_SECRET })).status).toBe(202);
    expect((await deliver(hook.url, pushBody(sha(6)), { secret: 'third' })).status).toBe(401);
    await control.startedCount(1);
    control.finish();
    await control.startedCount(2);
    control.finish();
    await hook.queue.idle();
    expect(control.started.map((job) => job.commit)).toEqual([sha(4), sha(5)]);
  });

  test('a replayed delivery id is acknowledged and ignored', async () => {
    const control = controlledDeploy();
    const hook = await startHook(control);
    const body = pushBody(sha(7));
    expect((await deliver(hook.url, body, { delivery: 'same' })).json).toMatchObject({ accepted: true });
    await control.startedCount(1);
    control.finish();
    await hook.queue.idle();
    expect(await deliver(hook.url, body, { delivery: 'same' })).toEqual({
      status: 202,
      json: {
        accepted: false,
        reason: 'delivery already handled (deploy changed)',
        event: 'push',
        deliveryId: 'same',
        commit: sha(7),
      },
    });
    expect(control.started).toHaveLength(1);
  });

  test('a signed push replayed under a new delivery id is acknowledged and ignored: no rollback by replay', async () => {
    const control = controlledDeploy();
    const hook = await startHook(control);
    const pushA = pushBody(sha(80));
    const pushB = pushBody(sha(81), { before: sha(80) });
    for (const [n, body] of [pushA, pushB].entries()) {
      expect((await deliver(hook.url, body, { delivery: `id-${n + 1}` })).json).toMatchObject({ accepted: true });
      await control.startedCount(n + 1);
      control.finish();
      await hook.queue.idle();
    }
    // The signature covers the body, not the X-GitHub-Delivery header: A's body again is a replay.
    expect(await deliver(hook.url, pushA, { delivery: 'id-1-replayed' })).toEqual({
      status: 202,
      json: {
        accepted: false,
        reason: 'delivery already handled under another id (deploy changed)',
        event: 'push',
        deliveryId: 'id-1-replayed',
        commit: sha(80),
      },
    });
    await hook.queue.idle();
    expect(control.started.map((job) => job.commit)).toEqual([sha(80), sha(81)]);
    expect((await deploys(hook.url)).map((job) => job.deliveryId)).toEqual(['id-2', 'id-1']);
    // A real force-push back to A is a new body (its own `before`), so it still rolls back.
    const back = await deliver(hook.url, pushBody(sha(80), { before: sha(81), forced: true }), { delivery: 'id-3' });
    expect(back.json).toMatchObject({ accepted: true });
    await control.startedCount(3);
    control.finish();
    await hook.queue.idle();
    expect(control.started.map((job) => job.deliveryId)).toEqual(['id-1', 'id-2', 'id-3']);
  });

  test('a burst of 5 pushes during a running deploy makes exactly one follow-up deploy, of the newest commit', async () => {
    const control = controlledDeploy();
    const hook = await startHook(control);
    await deliver(hook.url, pushBody(sha(10)));
    await control.startedCount(1);
    for (let n = 11; n <= 15; n++) {
      expect((await deliver(hook.url, pushBody(sha(n)))).status).toBe(202);
    }
    control.finish();
    await control.startedCount(2);
    control.finish();
    await hook.queue.idle();
    expect(control.started.map((job) => job.commit)).toEqual([sha(10), sha(15)]);
    const statuses = (await deploys(hook.url)).map((job) => job.status);
    expect(statuses).toEqual(['changed', 'superseded', 'superseded', 'superseded', 'superseded', 'changed']);
  });

  test('a redelivery of a delivery whose deploy failed runs again (GitHub reuses the delivery id)', async () => {
    const control = controlledDeploy();
    const hook = await startHook(control);
    const body = pushBody(sha(20));
    await deliver(hook.url, body, { delivery: 'retry-me' });
    await control.startedCount(1);
    control.finish('failed');
    await hook.queue.idle();
    expect((await deliver(hook.url, body, { delivery: 'retry-me' })).json).toMatchObject({ accepted: true });
    await control.startedCount(2);
    control.finish('ok');
    await hook.queue.idle();
    expect((await deploys(hook.url)).map((job) => [job.deliveryId, job.status])).toEqual([
      ['retry-me', 'ok'],
      ['retry-me', 'failed'],
    ]);
    // Once it succeeded, the same body is a replay, under its own id or another.
    for (const delivery of ['retry-me', 'retry-me-again']) {
      expect((await deliver(hook.url, body, { delivery })).json).toMatchObject({ accepted: false });
    }
    expect(control.started).toHaveLength(2);
  });

  test('a non-push event, another ref and another repository are acknowledged with 202 accepted: false', async () => {
    const control = controlledDeploy();
    const hook = await startHook(control);
    const cases = [
      [await deliver(hook.url, JSON.stringify({ zen: 'Keep it logically awesome.' }), { event: 'ping' }), 'ping'],
      [await deliver(hook.url, pushBody(sha(30), { ref: 'refs/heads/dev' })), 'refs/heads/dev'],
      [await deliver(hook.url, pushBody(sha(31), { repository: { full_name: 'other/repo' } })), 'other/repo'],
    ] as const;
    for (const [answer, mention] of cases) {
      expect(answer.status).toBe(202);
      expect(answer.json).toMatchObject({ accepted: false, reason: expect.stringContaining(mention) });
    }
    expect(await deploys(hook.url)).toEqual([]);
  });

  test('a body over 1 MiB is 413, a body that is not JSON 400, a form 415; nothing is queued', async () => {
    const control = controlledDeploy();
    const hook = await startHook(control);
    const big = pushBody(sha(40), { padding: 'x'.repeat(1024 * 1024) });
    const tooLarge = await deliver(hook.url, big);
    expect(tooLarge.status).toBe(413);
    expect(ErrorEnvelope.parse(tooLarge.json).error.code).toBe('payload_too_large');
    const notJson = await deliver(hook.url, 'ref=refs/heads/main');
    expect(notJson.status).toBe(400);
    expect(ErrorEnvelope.parse(notJson.json).error.code).toBe('invalid_json');
    const form = await deliver(hook.url, `payload=${encodeURIComponent(pushBody(sha(41)))}`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    expect(await deploys(hook.url)).toEqual([]);
  });

  test('/health, /metrics and /openapi.json are served, and /openapi.json documents the webhook', async () => {
    const hook = await startHook(controlledDeploy());
    expect((await fetch(`${hook.url}/health`)).status).toBe(200);
    expect(await (await fetch(`${hook.url}/metrics`)).text()).toContain('http_request');
    const openapi = (await (await fetch(`${hook.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/webhook', '/deploys']));
  });

  test('with a state file, a replay after a restart of the hook is still ignored, under its id or another', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'fleet-hook-state-')), 'state.json');
    const control = controlledDeploy();
    const options = {
      secrets: [SECRET],
      repository: 'ops/fleet',
      ref: 'main',
      run: (job: DeployJob) => control.run(job),
      port: 0,
      stateFile,
    };
    const before = await startDeployHookServer(options);
    await deliver(before.url, pushBody(sha(60)), { delivery: 'kept' });
    await control.startedCount(1);
    control.finish();
    await before.close();
    const after = await startDeployHookServer(options);
    servers.push(after);
    expect((await deliver(after.url, pushBody(sha(60)), { delivery: 'kept' })).json).toMatchObject({
      accepted: false,
      reason: 'delivery already handled (deploy changed)',
    });
    expect((await deliver(after.url, pushBody(sha(60)), { delivery: 'kept-replayed' })).json).toMatchObject({
      accepted: false,
      reason: 'delivery already handled under another id (deploy changed)',
    });
    expect((await deploys(after.url)).map((job) => job.commit)).toEqual([sha(60)]);
    rmSync(dirname(stateFile), { recursive: true, force: true });
  });

  test("GET /deploys lists the deployer's history beside the hook's jobs, newest first, with ?limit", async () => {
    const control = controlledDeploy();
    const asked: number[] = [];
    const run = (id: string, trigger: string) => ({
      id,
      trigger,
      user: 'ada',
      from: 'laptop',
      mode: 'apply' as const,
      startedAt: '2026-12-05T14:30:00.000Z',
      finishedAt: '2026-12-05T14:30:09.000Z',
      durationMs: 9000,
      status: 'changed' as const,
      hosts: [{ host: 'vps1', status: 'changed' as const, aborted: false, durationMs: 9000 }],
    });
    const hook = await startDeployHookServer({
      secrets: [SECRET],
      repository: 'ops/fleet',
      ref: 'main',
      run: (job) => control.run(job),
      port: 0,
      history: async (limit) => {
        asked.push(limit);
        return [run('r3', 'webhook'), run('r2', 'cli'), run('r1', 'rollback')].slice(0, limit);
      },
    });
    servers.push(hook);
    await deliver(hook.url, pushBody(sha(70)));
    await control.startedCount(1);
    control.finish();
    await hook.queue.idle();
    const answer = deployHookRoutes.deploys.response.parse(await (await fetch(`${hook.url}/deploys?limit=2`)).json());
    expect(answer.jobs.map((job) => [job.commit, job.status])).toEqual([[sha(70), 'changed']]);
    expect(answer.history?.map((entry) => `${entry.id} ${entry.trigger}`)).toEqual(['r3 webhook', 'r2 cli']);
    expect(answer.historyError).toBeUndefined();
    expect(asked).toEqual([2]);
    expect((await fetch(`${hook.url}/deploys?limit=0`)).status).toBe(400);
  });

  test('a lock host that cannot be reached leaves GET /deploys with the jobs and a historyError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-hook-history-'));
    try {
      // Port 1 on loopback refuses at once: the history read fails as an unreachable lock host does.
      const fleet = 'version: 1\nhosts:\n  vps1: { address: 127.0.0.1, ssh: { port: 1 } }\n';
      const hook = await startDeployHookServer({
        secrets: [SECRET],
        repository: 'ops/fleet',
        ref: 'main',
        run: async () => ({ status: 'ok' }),
        port: 0,
        history: fleetDeployHistory({
          config: join(dir, 'fleet.yaml'),
          configText: fleet,
          ssh: { knownHostsFile: join(dir, 'known_hosts') },
        }),
      });
      servers.push(hook);
      const response = await fetch(`${hook.url}/deploys`);
      expect(response.status).toBe(200);
      const answer = deployHookRoutes.deploys.response.parse(await response.json());
      expect(answer).toMatchObject({ jobs: [], count: 0 });
      expect(answer.history).toBeUndefined();
      expect(answer.historyError).toMatch(/vps1/);
      expect(answer.historyError).not.toContain('\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('startDeployHookServer refuses to start without a secret', async () => {
    await expect(
      startDeployHookServer({
        secrets: [' '],
        repository: 'ops/fleet',
        ref: 'main',
        run: async () => ({ status: 'ok' }),
      }),
    ).rejects.toThrow('The deploy hook needs a secret: there is no unsigned mode');
  });
});

describe('runShellDeploy', () => {
  test('runs the command with the job in its environment: exit 0 is ok, another status failed', async () => {
    const job = { commit: sha(50), deliveryId: 'd-50', pusher: 'ada' };
    const check = 'test "$FLEET_DEPLOY_COMMIT:$FLEET_DEPLOY_DELIVERY:$FLEET_DEPLOY_PUSHER" = "$WANT"';
    const env = { PATH: process.env.PATH, WANT: `${sha(50)}:d-50:ada` };
    expect(await runShellDeploy(check, env)(job)).toEqual({ status: 'ok' });
    expect(await runShellDeploy(check, { ...env, WANT: 'other' })(job)).toEqual({ status: 'failed' });
    expect(await runShellDeploy('kill -TERM $$', env)(job)).toEqual({ status: 'aborted' });
  });
});

describe('runShellDeploy at shutdown', () => {
  const job = { commit: sha(51), deliveryId: 'd-51' };
  const env = { PATH: process.env.PATH };

  test('a deploy queued when the hook stops never starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-shell-'));
    const stop = new AbortController();
    stop.abort();
    const outcome = await runShellDeploy(`touch ${dir}/started`, env, { signal: stop.signal })(job);
    expect(outcome).toEqual({ status: 'aborted' });
    expect(existsSync(join(dir, 'started'))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a running deploy gets SIGTERM, every process it started, and ends aborted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-shell-'));
    const stop = new AbortController();
    // A compound command: sh waits for a child of its own, which must get the signal too.
    const sleep = `sleep 60.${process.pid}`; // a command line no other process has
    const command = `trap 'touch ${dir}/term; exit 143' TERM; (${sleep}; touch ${dir}/late) & touch ${dir}/started; wait`;
    const running = runShellDeploy(command, env, { signal: stop.signal })(job);
    while (!existsSync(join(dir, 'started'))) await new Promise((resolve) => setTimeout(resolve, 10));
    stop.abort();
    expect(await running).toEqual({ status: 'aborted' });
    expect(existsSync(join(dir, 'term'))).toBe(true);
    // The background sleep got the signal too: gone (a few ms after its shell, at most).
    const alive = () => spawnSync('pgrep', ['-f', sleep]).status === 0;
    for (let tries = 0; tries < 100 && alive(); tries++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive()).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  test('the webhook secret is not handed to the deploy command', async () => {
    const outcome = await runShellDeploy('test -z "$FLEET_DEPLOY_SECRET"', { ...env, FLEET_DEPLOY_SECRET: 's3cret' })(
      job,
    );
    expect(outcome).toEqual({ status: 'ok' });
  });
});

describe('fleet deploy hook (CLI)', () => {
  async function run(argv: string[], env: Record<string, string | undefined>) {
    let stderr = '';
    const saved = { ...process.env };
    Object.assign(process.env, env);
    for (const [key, value] of Object.entries(env)) if (value === undefined) delete process.env[key];
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    }) as typeof process.stderr.write);
    try {
      const code = await runCli(deployCommand, argv, { name: 'fleet-deploy', version: '0.0.0' });
      return { code, stderr };
    } finally {
      err.mockRestore();
      process.env = saved;
    }
  }

  test('refuses to start without a secret: exit 2 and one line', async () => {
    expect(await run(['hook', '--repository', 'ops/fleet', '--port', '0'], { FLEET_DEPLOY_SECRET: undefined })).toEqual(
      {
        code: 2,
        stderr:
          'fleet-deploy: fleet deploy hook needs a secret (--secret or FLEET_DEPLOY_SECRET): there is no unsigned mode\n',
      },
    );
  });

  test('refuses three secrets and a blank FLEET_DEPLOY_SECRET the same way', async () => {
    const three = await run(['hook', '--repository', 'ops/fleet'], { FLEET_DEPLOY_SECRET: 'a,b,c' });
    expect(three).toEqual({
      code: 2,
      stderr: 'fleet-deploy: at most two secrets may be active (rotation), got 3\n',
    });
    expect((await run(['hook', '--repository', 'ops/fleet'], { FLEET_DEPLOY_SECRET: ' , ' })).code).toBe(2);
  });

  test('refuses a --timeout (or FLEET_DEPLOY_TIMEOUT) that is not a positive duration: exit 2', async () => {
    const env = { FLEET_DEPLOY_SECRET: 's', FLEET_DEPLOY_REPOSITORY: 'ops/fleet' };
    expect(await run(['hook', '--timeout', 'soon', '--port', '0'], env)).toEqual({
      code: 2,
      stderr: 'fleet-deploy: --timeout must be a duration like 500ms, 10s, 5m or 1h, got "soon"\n',
    });
    expect((await run(['hook', '--port', '0'], { ...env, FLEET_DEPLOY_TIMEOUT: '0' })).code).toBe(2);
  });

  test('refuses to start without a repository (--repository or FLEET_DEPLOY_REPOSITORY): exit 2', async () => {
    expect(await run(['hook'], { FLEET_DEPLOY_SECRET: 's', FLEET_DEPLOY_REPOSITORY: undefined })).toEqual({
      code: 2,
      stderr: 'fleet-deploy: --repository owner/name (or FLEET_DEPLOY_REPOSITORY) is required\n',
    });
    expect(await run(['hook'], { FLEET_DEPLOY_SECRET: 's', FLEET_DEPLOY_REPOSITORY: 'not-a-repo' })).toEqual({
      code: 2,
      stderr: 'fleet-deploy: --repository must be owner/name, got "not-a-repo"\n',
    });
  });
});
