// biome-ignore-all lint/suspicious/noTemplateCurlyInString: fleet files write ${ENV_VAR} references literally
import { spawnSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { FLEET_BINS } from '../src/deploy/fleet-bundle.ts';
import { parseDeployFleet } from '../src/deploy/load-deploy-fleet.ts';
import { type RunningDeployHookServer, runShellDeploy, startDeployHookServer } from '../src/index.ts';
import { sitePlan } from '../src/site/site-plan.ts';
import { REPO, tempDir } from './_fixtures.ts';

const BINS = Object.fromEntries(FLEET_BINS.map((entry) => [entry.bin, `packages/x/bin/${entry.bin}.js`]));
const bundle = { file: '/tmp/none.tar.gz', sha256: 'a'.repeat(64), id: 'a'.repeat(12), bins: BINS };
const sha = (n: number) => n.toString(16).padStart(40, '0');

const servers: RunningDeployHookServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = tempDir('fleet-hook-run-');
  dirs.push(dir);
  return dir;
}

/** The environment systemd gives the site plan's deploy-hook unit for `fleetText`, with `env` set. */
function hookUnitEnv(fleetText: string, env: Record<string, string>): Record<string, string> {
  const fleet = parseDeployFleet(fleetText, 'fleet.yaml', env).fleet;
  const site = sitePlan({ fleet, fleetText, host: 'vps1', bundle });
  return site.services.find((service) => service.kind === 'deploy-hook')!.env;
}

/** A fleet file whose deploy-hook service has `hookEnv` (YAML flow mapping). */
function hookFleet(hookEnv: string, address = '203.0.113.7'): string {
  return `version: 1
hosts:
  vps1: { address: ${address}, ssh: { port: 1 } }
services:
  deploy-hook: { kind: deploy-hook, host: vps1, port: 8653, token: "\${FLEET_DEPLOY_HOOK_TOKEN}", env: ${hookEnv} }
deploy:
  node: ${process.execPath}
`;
}

/** Starts a hook on a free port running `command`, and pushes `commit` to it, signed with the first secret. */
async function pushTo(secrets: string[], command: string, env: Record<string, string>, commit: string) {
  const hook = await startDeployHookServer({
    secrets,
    repository: 'ops/fleet',
    ref: 'refs/heads/main',
    port: 0,
    run: runShellDeploy(command, env, { secrets }),
  });
  servers.push(hook);
  const body = JSON.stringify({ ref: 'refs/heads/main', after: commit, repository: { full_name: 'ops/fleet' } });
  const response = await fetch(`${hook.url}/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', secrets[0]!).update(body).digest('hex')}`,
    },
    body,
  });
  expect(response.status).toBe(202);
  await response.body?.cancel();
  await hook.queue.idle();
  return hook;
}

describe('the --run command does not get the webhook secret', () => {
  test('no variable of the site unit holds it, whatever name the fleet file reads it from', async () => {
    const dir = scratch();
    const secret = 'hook-secret-24680';
    const env = hookUnitEnv(
      hookFleet(`{ FLEET_DEPLOY_SECRET: "\${HOOK_SECRET}", FLEET_DEPLOY_REPOSITORY: ops/fleet }`),
      { HOOK_SECRET: secret, FLEET_DEPLOY_HOOK_TOKEN: 'hook-token-13579' },
    );
    expect(env.HOOK_SECRET).toBe(secret); // the unit holds it under the referenced name too
    await pushTo([secret], `env > ${dir}/env.txt`, { ...env, PATH: process.env.PATH! }, sha(1));
    const childEnv = readFileSync(join(dir, 'env.txt'), 'utf8');
    expect(childEnv).toContain('FLEET_DEPLOY_HOOK_TOKENS=hook-token-13579'); // the rest is there
    expect(childEnv).not.toContain(secret);
  });

  test('while rotating, neither secret reaches it, alone or in the comma-separated list', async () => {
    const dir = scratch();
    const [next, previous] = ['next-secret-97531', 'previous-secret-86420'];
    const env = hookUnitEnv(
      hookFleet(`{ FLEET_DEPLOY_SECRET: "\${HOOK_SECRETS}", FLEET_DEPLOY_REPOSITORY: ops/fleet }`),
      { HOOK_SECRETS: `${next}, ${previous}`, FLEET_DEPLOY_HOOK_TOKEN: 'hook-token-13579' },
    );
    await pushTo(
      [next, previous],
      `env > ${dir}/env.txt`,
      { ...env, OLD_HOOK_SECRET: previous, PATH: process.env.PATH! },
      sha(2),
    );
    const childEnv = readFileSync(join(dir, 'env.txt'), 'utf8');
    expect(childEnv).not.toContain(next);
    expect(childEnv).not.toContain(previous);
  });
});

describe("the README's deploy.sh", () => {
  /** The README's `deploy.sh` block, its state directory moved to `dir`. */
  function readmeScript(dir: string): string {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
      .map((match) => match[1]!)
      .find((text) => text.includes('/var/lib/fleet/deploy-hook/deploy.sh'));
    expect(block, 'README.md documents a deploy.sh for FLEET_DEPLOY_RUN').toBeDefined();
    return block!.replaceAll('/var/lib/fleet/deploy-hook', dir);
  }

  test('deploys the fleet file that declares the hook, the secret only in its deploy step', async () => {
    const dir = scratch();
    const secret = 'readme-secret-11235';
    const fleetText = hookFleet(
      `{ FLEET_DEPLOY_SECRET: "\${FLEET_DEPLOY_SECRET}", FLEET_DEPLOY_REPOSITORY: ops/fleet, FLEET_DEPLOY_RUN: ${dir}/deploy.sh }`,
      '127.0.0.1',
    );
    mkdirSync(join(dir, 'fleet'));
    writeFileSync(join(dir, 'fleet/fleet.yaml'), fleetText);
    writeFileSync(join(dir, 'secret'), `${secret}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'deploy.sh'), readmeScript(dir), { mode: 0o700 });
    // Stand-ins for the clone's tools: git does nothing, npm records what a build would inherit,
    // npx runs the real `fleet` CLI.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const tools = {
      git: 'exit 0',
      npm: `env >> ${dir}/build-env.txt`,
      npx: `test "$1" = fleet && shift; exec ${process.execPath} ${join(REPO, 'packages/cli/bin/fleet.js')} "$@"`,
    };
    for (const [name, body] of Object.entries(tools)) {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    }
    const env = hookUnitEnv(fleetText, { FLEET_DEPLOY_SECRET: secret, FLEET_DEPLOY_HOOK_TOKEN: 'tok-8' });
    const hook = await pushTo(
      [secret],
      `${env.FLEET_DEPLOY_RUN} > ${dir}/out.txt 2>&1`,
      { ...env, PATH: `${bin}:${process.env.PATH}` },
      sha(3),
    );
    const out = readFileSync(join(dir, 'out.txt'), 'utf8');
    // The fleet file loaded and the deploy started (it then fails: there is no SSH server at port 1).
    expect(out).not.toContain('environment variable FLEET_DEPLOY_SECRET is not set');
    expect(out).toMatch(/^deploy \S+: vps1$/m);
    expect(hook.queue.jobs()[0]?.status).toBe('failed');
    expect(readFileSync(join(dir, 'build-env.txt'), 'utf8')).not.toContain(secret);
  });
});

describe('--run deploys are bounded by a timeout', () => {
  test('a hung command is stopped, fails with a reason, and the push queued behind it deploys', async () => {
    const dir = scratch();
    const secret = 'timeout-secret';
    // The first deploy hangs; the next one finishes.
    const command = `if [ "$FLEET_DEPLOY_COMMIT" = ${sha(4)} ]; then touch ${dir}/started; exec sleep 3600; fi; touch ${dir}/next`;
    const hook = await startDeployHookServer({
      secrets: [secret],
      repository: 'ops/fleet',
      ref: 'refs/heads/main',
      port: 0,
      run: runShellDeploy(command, { PATH: process.env.PATH }, { timeoutMs: 300, killAfterMs: 300 }),
    });
    servers.push(hook);
    for (const commit of [sha(4), sha(5)]) {
      const body = JSON.stringify({ ref: 'refs/heads/main', after: commit, repository: { full_name: 'ops/fleet' } });
      await fetch(`${hook.url}/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-github-delivery': randomUUID(),
          'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
        },
        body,
      });
      while (commit === sha(4) && !existsSync(join(dir, 'started'))) await new Promise((r) => setTimeout(r, 10));
    }
    await hook.queue.idle();
    const [next, hung] = hook.queue.jobs();
    expect(hung).toMatchObject({
      commit: sha(4),
      status: 'failed',
      error: expect.stringContaining('timed out after 300ms'),
    });
    expect(next).toMatchObject({ commit: sha(5), status: 'ok' });
    expect(existsSync(join(dir, 'next'))).toBe(true);
  });

  test('a command that ignores SIGTERM gets SIGKILL, every process of its group', async () => {
    const dir = scratch();
    const sleep = `sleep 61.${process.pid}`; // a command line no other process has
    // `trap '' TERM` is inherited: neither sh nor its background sleep can be stopped by SIGTERM.
    const command = `trap '' TERM; ${sleep} & touch ${dir}/started; wait`;
    const running = runShellDeploy(
      command,
      { PATH: process.env.PATH },
      { timeoutMs: 300, killAfterMs: 300 },
    )({
      commit: sha(6),
      deliveryId: 'd-6',
    });
    await expect(running).rejects.toThrow('deploy command timed out after 300ms (stopped with SIGKILL)');
    expect(existsSync(join(dir, 'started'))).toBe(true);
    const alive = () => spawnSync('pgrep', ['-f', sleep]).status === 0;
    for (let tries = 0; tries < 100 && alive(); tries++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive()).toBe(false);
  });
});
