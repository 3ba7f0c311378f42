import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DashboardClient, deployHookRoutes } from '@fleet/sdk';
import { type DeployRun, DeployRunEvent, type HostResult } from '@fleet/sdk/deploy';
import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ReleaseBundle } from '../src/bundle/build-release-bundle.ts';
import { auditFleet } from '../src/deploy/audit.ts';
import { deploy } from '../src/deploy/deploy.ts';
import type { DeployOptions } from '../src/deploy/deploy-options.ts';
import { buildFleetBundle } from '../src/deploy/fleet-bundle.ts';
import { deployHistory, fleetDeployHistory } from '../src/deploy/lock-host.ts';
import { rollbackFleet } from '../src/deploy/rollback.ts';
import { startDeployHookServer } from '../src/hook/start-deploy-hook-server.ts';
import { REPO } from './_fixtures.ts';
import { demoFleetText, TOKENS } from './_fleet.ts';
import { type HookProcess, startHookProcess } from './_hook-process.ts';

const ready = hasTestHostDeps();

function changedSteps(hosts: readonly HostResult[]): string[] {
  return hosts.flatMap((host) =>
    host.phases.flatMap((phase) =>
      phase.steps.filter((step) => step.status === 'changed').map((step) => `${host.host} ${phase.phase} ${step.step}`),
    ),
  );
}

/** The last line of the history on the lock host h1. */
function lastRecorded(h1: TestHost): DeployRun {
  const lines = readFileSync(join(h1.dirs.varLibFleet, 'deploy/history.jsonl'), 'utf8').trim().split('\n');
  return JSON.parse(lines.at(-1)!) as DeployRun;
}

function handlersRun(hosts: readonly HostResult[]): string[] {
  return hosts.flatMap((host) =>
    host.phases.flatMap((phase) => phase.handlers.map((handler) => `${host.host} ${handler.handler}`)),
  );
}

describe.skipIf(!ready)('deploying the demo fleet onto three test hosts', () => {
  let run: TestHosts;
  let bundle: ReleaseBundle;
  const events: DeployRunEvent[] = [];

  const options = (text: string, extra: Partial<DeployOptions> = {}): DeployOptions => ({
    config: 'fleet.yaml',
    configText: text,
    env: { ...TOKENS },
    mode: 'apply',
    bundle,
    ssh: { identity: run.clientKey.privateKeyPath, knownHostsFile: run.knownHostsPath },
    onEvent: (event) => events.push(event),
    ...extra,
  });

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, stdio: 'pipe' });
    [run, bundle] = await Promise.all([startTestHosts(3), buildFleetBundle()]);
  }, 300_000);
  // The test hosts share this machine's /etc/passwd: the service user the deploy makes is removed
  // afterwards, unless it was here before.
  const hadUser = spawnSync('getent', ['passwd', 'fleet']).status === 0;
  afterAll(async () => {
    await run?.close();
    if (!hadUser) {
      spawnSync('userdel', ['fleet']);
      spawnSync('groupdel', ['fleet']);
    }
  });

  test('plan mode changes nothing on any host and shows what apply would do', async () => {
    const before = run.hosts.map(
      (host) => readdirSync(host.dirs.optFleet).length + readdirSync(host.dirs.systemdSystem).length,
    );
    const { run: plan } = await deploy(options(demoFleetText(run), { mode: 'plan' }));
    expect(plan.status).toBe('changed');
    expect(changedSteps(plan.hosts)).toContain('h1 fleet unit fleet-bus.service');
    const after = run.hosts.map(
      (host) => readdirSync(host.dirs.optFleet).length + readdirSync(host.dirs.systemdSystem).length,
    );
    expect(after).toEqual(before);
  }, 120_000);

  test('apply brings the whole fleet up: every target of the dashboard is up', async () => {
    const result = await deploy(options(demoFleetText(run)));
    expect(result.failure).toBeUndefined();
    expect(result.run.status).toBe('changed');
    const dashboard = new DashboardClient({
      url: `http://${run.hosts[2]!.address}:8652`,
      token: TOKENS.DASHBOARD_TOKEN,
    });
    let states: Record<string, string> = {};
    for (let attempt = 0; attempt < 60; attempt += 1) {
      const status = await dashboard.status();
      states = Object.fromEntries(
        status.hosts.flatMap((host) => host.targets).map((target) => [target.id, target.state]),
      );
      if (Object.values(states).every((state) => state === 'up')) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(states).toEqual({ bus: 'up', k1: 'up', k2: 'up', dashboard: 'up', scout: 'up', scribe: 'up' });
    // And as an operator sees it: `fleet status` against the deployed dashboard.
    const status = spawnSync(
      process.execPath,
      [join(REPO, 'packages/cli/bin/fleet.js'), 'status', '--url', `http://${run.hosts[2]!.address}:8652`, '--json'],
      { env: { ...process.env, FLEET_DASHBOARD_TOKEN: TOKENS.DASHBOARD_TOKEN }, encoding: 'utf8' },
    );
    expect(status.status).toBe(0);
    const counts = (JSON.parse(status.stdout) as { counts: Record<string, number> }).counts;
    expect(counts.up).toBe(6);
    // The run reported itself to the dashboard it deployed (which came up during the run).
    const { runs } = await dashboard.deploys();
    expect(runs.find((entry) => entry.id === result.run.id)).toMatchObject({ status: 'changed', trigger: 'cli' });
  }, 240_000);

  test('a second apply of the same fleet changes nothing', async () => {
    const logged = run.hosts.map((host) => readFileSync(host.sshdLog).length);
    const { run: again } = await deploy(options(demoFleetText(run)));
    expect(changedSteps(again.hosts)).toEqual([]);
    // The exec and SFTP channels each host's sshd started for the no-op: h2 and h3 (not the lock
    // host) 18 each: the releases list, the pending handlers, 14 checks (4 of them a phase's probe)
    // and no second read of the unverified mark when nothing was activated.
    const sessions = run.hosts.map(
      (host, index) =>
        readFileSync(host.sshdLog)
          .subarray(logged[index])
          .toString('utf8')
          .match(/Starting session:/g)?.length ?? 0,
    );
    expect(sessions.slice(1)).toEqual([18, 18]);
    expect(handlersRun(again.hosts)).toEqual([]);
    expect(again.status).toBe('ok');
  }, 120_000);

  test('examples/deploy-fleet.mjs plans the same fleet from a script: nothing to change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-deploy-example-'));
    try {
      writeFileSync(join(dir, 'fleet.yaml'), demoFleetText(run));
      const example = join(REPO, 'examples/deploy-fleet.mjs');
      const args = [
        example,
        join(dir, 'fleet.yaml'),
        '--known-hosts',
        run.knownHostsPath,
        '--identity',
        run.clientKey.privateKeyPath,
      ];
      const stdout = execFileSync(process.execPath, args, { env: { ...process.env, ...TOKENS }, encoding: 'utf8' });
      expect(stdout).toContain('h1: ok, 0 to change, 0 failed');
      expect(stdout).toContain('h3: ok, 0 to change, 0 failed');
      expect(stdout).toMatch(/run \S+: ok/);
      for (const secret of Object.values(TOKENS)) expect(stdout).not.toContain(secret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  test('a changed template restarts exactly the one service it configures, once', async () => {
    const { run: changed } = await deploy(options(demoFleetText(run, { scoutEnv: { MODE: 'fast' } })));
    expect(changed.status).toBe('changed');
    expect(handlersRun(changed.hosts)).toEqual(['h2 restart fleet-wizard-scout.service']);
  }, 120_000);

  test('the audit finds a unit stopped by hand and a port changed behind its back; a redeploy puts the port back', async () => {
    const text = demoFleetText(run, { scoutEnv: { MODE: 'fast' } });
    const ssh = { identity: run.clientKey.privateKeyPath, knownHostsFile: run.knownHostsPath };
    const audit = async () =>
      (await auditFleet({ configText: text, env: TOKENS, ssh })).problems.map(
        (problem) => `${problem.path}: ${problem.message}`,
      );
    expect(await audit()).toEqual([]);
    const [, h2, h3] = run.hosts;
    const sshTo = (host: TestHost, command: string) =>
      execFileSync('ssh', [
        '-i',
        run.clientKey.privateKeyPath,
        '-o',
        `UserKnownHostsFile=${run.knownHostsPath}`,
        `root@${host.address}`,
        command,
      ]);
    sshTo(h3!, 'systemctl stop fleet-wizard-scribe.service');
    // On h2, someone edits scout's environment in the release and restarts it on another port.
    const envFile = join(h2!.dirs.optFleet, 'app/current/etc/fleet-wizard-scout.env');
    writeFileSync(envFile, readFileSync(envFile, 'utf8').replace('PORT="8661"', 'PORT="8663"'));
    sshTo(h2!, 'systemctl restart fleet-wizard-scout.service');
    const found = await audit();
    expect(found).toContain(
      'wizards.scribe: unit fleet-wizard-scribe.service is inactive on host h3, where the fleet file says it runs',
    );
    expect(found).toContain('wizards.scribe: nothing listens on port 8662 on host h3');
    expect(found).toContain('wizards.scout: nothing listens on port 8661 on host h2');
    expect(
      found.some((line) => line.startsWith('wizards.scout: health check of http://') && line.includes('fails')),
    ).toBe(true);
    // A redeploy puts the file back and restarts scout (scribe, stopped by hand, is started again).
    const { run: fixed } = await deploy(options(text));
    expect(handlersRun(fixed.hosts)).toEqual(['h2 restart fleet-wizard-scout.service']);
    expect(await audit()).toEqual([]);
  }, 180_000);

  test('a release whose new config fails its health gate is rolled back and the previous version answers again', async () => {
    const good = demoFleetText(run, { scoutEnv: { MODE: 'fast' } });
    // Port 1 is privileged: the agent, running as the fleet user, cannot listen there.
    const bad = demoFleetText(run, { scoutEnv: { MODE: 'fast', PORT: '1' } });
    const result = await deploy(options(bad));
    expect(result.run.status).toBe('failed');
    // The stand-in systemctl fails a start whose process dies at once (the restart handler); under
    // systemd the unit starts, then the gate fails: a rollback either way.
    expect(result.failure?.host).toBe('h2');
    expect(['wizards', 'gate']).toContain(result.failure?.phase);
    expect(result.rolledBack).toContain('h2');
    const health = await fetch(`http://${run.hosts[1]!.address}:8661/health`);
    expect(health.status).toBe(200);
    const { run: after } = await deploy(options(good));
    expect(after.status).not.toBe('failed');
  }, 240_000);

  test('two concurrent deploys do not interleave: the second is refused naming the holder', async () => {
    const text = demoFleetText(run, { scoutEnv: { MODE: 'fast' } });
    const outcomes = await Promise.allSettled([deploy(options(text)), deploy(options(text))]);
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(String((refused[0] as PromiseRejectedResult).reason)).toMatch(/held by|locked/i);
  }, 120_000);

  test('an unknown host key is refused before anything runs, naming its SHA256 fingerprint', async () => {
    const empty = join(mkdtempSync(join(tmpdir(), 'fleet-known-')), 'known_hosts');
    writeFileSync(empty, '');
    const result = await deploy(
      options(demoFleetText(run), {
        mode: 'plan',
        ssh: { identity: run.clientKey.privateKeyPath, knownHostsFile: empty },
      }),
    );
    expect(result.run.status).toBe('failed');
    expect(result.failure?.error).toMatch(/SHA256:[A-Za-z0-9+/]{43}/);
    expect(readFileSync(empty, 'utf8')).toBe('');
  }, 120_000);

  test('fleet deploy on the command line: plan --json, audit, history; exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleet-deploy-cli-'));
    try {
      const config = join(dir, 'fleet.yaml');
      writeFileSync(config, demoFleetText(run, { scoutEnv: { MODE: 'fast' } }));
      const fleet = (args: string[]) =>
        spawnSync(
          process.execPath,
          [
            join(REPO, 'packages/cli/bin/fleet.js'),
            'deploy',
            ...args,
            '--config',
            config,
            '--known-hosts',
            run.knownHostsPath,
            '--identity',
            run.clientKey.privateKeyPath,
          ],
          { env: { ...process.env, ...TOKENS }, encoding: 'utf8' },
        );
      const plan = fleet(['plan', '--json']);
      expect(plan.status).toBe(0);
      const events = plan.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string });
      expect(events[0]?.type).toBe('run_started');
      const result = events.at(-1) as { type: string; run: { status: string; mode: string; hosts: HostResult[] } };
      expect({ type: result.type, mode: result.run.mode, changed: changedSteps(result.run.hosts) }).toEqual({
        type: 'result',
        mode: 'plan',
        changed: [],
      });
      for (const event of events.slice(0, -1)) expect(DeployRunEvent.safeParse(event).success).toBe(true);
      const audit = fleet(['audit']);
      expect({ status: audit.status, stdout: audit.stdout }).toMatchObject({
        status: 0,
        stdout: expect.stringContaining('0 problem(s)'),
      });
      const history = fleet(['history']);
      expect(history.status).toBe(0);
      expect(history.stdout).toMatch(/^STARTED +RUN +TRIGGER/);
      for (const secret of Object.values(TOKENS))
        expect(plan.stdout + plan.stderr + history.stdout).not.toContain(secret);
      // Drift exits 1: a wizard the file names that no host runs.
      const ghost = demoFleetText(run, { scoutEnv: { MODE: 'fast' } }).replace(
        'wizards:\n',
        'wizards:\n  ghost: { host: h3, port: 8669 }\n',
      );
      writeFileSync(config, ghost);
      const drift = fleet(['audit']);
      expect(drift.status).toBe(1);
      expect(drift.stdout).toMatch(
        /fleet\.yaml:\d+:3 error: wizards\.ghost: unit fleet-wizard-ghost\.service is inactive on host h3/,
      );
      // An invalid fleet file exits 2, its problems as fleet doctor prints them.
      writeFileSync(config, 'version: 1\nhosts:\n  h1: { address: 999.1.1.1, ssh: {} }\n');
      const invalid = fleet(['plan']);
      expect(invalid.status).toBe(2);
      expect(invalid.stderr).toContain('fleet.yaml:3:18 error: hosts.h1.address: must be an IPv4 address');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  test('a connection cut mid-deploy fails clearly and releases the lock; a rerun completes', async () => {
    const h2 = run.hosts[1]!;
    let cut: Promise<void> | undefined;
    const changed = demoFleetText(run, { scoutEnv: { MODE: 'slow' } });
    const result = await deploy(
      options(changed, {
        onEvent: (event) => {
          events.push(event);
          if (event.type === 'phase_started' && event.host === 'h2' && event.phase === 'release')
            cut ??= h2.cutNetwork();
        },
      }),
    );
    await cut;
    expect(result.run.status).toBe('failed');
    expect(result.failure?.host).toBe('h2');
    expect(result.failure?.error).toMatch(/connection|keepalive|timed out|lost/i);
    await h2.restoreNetwork();
    const rerun = await deploy(options(changed));
    expect(rerun.failure).toBeUndefined();
    expect(rerun.run.status).not.toBe('failed');
  }, 240_000);

  test('fleet deploy hook stopped by SIGTERM mid-deploy: the deploy stops, and the lock is held until it is recorded', async () => {
    const h1 = run.hosts[0]!;
    const dir = mkdtempSync(join(tmpdir(), 'fleet-deploy-hook-'));
    const lock = join(h1.dirs.varLibFleet, 'deploy/lock');
    let hook: HookProcess | undefined;
    try {
      const config = join(dir, 'fleet.yaml');
      writeFileSync(config, demoFleetText(run, { scoutEnv: { MODE: 'slow' } }));
      const ssh = ['--known-hosts', run.knownHostsPath, '--identity', run.clientKey.privateKeyPath];
      hook = await startHookProcess(['--config', config, ...ssh], TOKENS);
      const commit = 'c0ffee'.padEnd(40, '0');
      expect(await hook.push(commit)).toBe(202);
      while (!existsSync(join(lock, 'owner.json'))) await sleep(10);
      hook.child.kill('SIGTERM');
      while (existsSync(lock)) await sleep(10);
      const releasedAt = Date.now();
      await hook.exited;
      const recorded = lastRecorded(h1);
      expect(recorded).toMatchObject({ trigger: 'webhook', commit });
      // It stopped (a host aborted, or none started), and gave the lock back only once it had.
      expect(recorded.hosts.length < run.hosts.length || recorded.hosts.some((host) => host.aborted)).toBe(true);
      expect(releasedAt).toBeGreaterThanOrEqual(Date.parse(recorded.finishedAt));
    } finally {
      if (hook?.child.exitCode === null && hook.child.signalCode === null) hook.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);

  test('fleet deploy rollback puts a host back on its previous release, healthy; a second rollback undoes it', async () => {
    const h2 = run.hosts[1]!;
    const ssh = { identity: run.clientKey.privateKeyPath, knownHostsFile: run.knownHostsPath };
    const text = demoFleetText(run, { scoutEnv: { MODE: 'slow' } });
    const current = () => readlinkSync(join(h2.dirs.optFleet, 'app/current'));
    const before = current();
    const back = await rollbackFleet({
      configText: text,
      env: TOKENS,
      ssh,
      hosts: ['h2'],
      onEvent: (event) => events.push(event),
    });
    expect(back.run).toMatchObject({ status: 'changed', trigger: 'rollback' });
    expect(back.rolledBack).toEqual(['h2']);
    expect(current()).not.toBe(before);
    expect((await fetch(`http://${h2.address}:8661/health`)).status).toBe(200);
    const again = await rollbackFleet({ configText: text, env: TOKENS, ssh, hosts: ['h2'] });
    expect(again.run.status).toBe('changed');
    expect(current()).toBe(before);
  }, 180_000);

  test('a rollback whose connection drops after `current` was swapped back: that host fails, the others are rolled back, the run recorded, the lock released', async () => {
    const [h1, h2, h3] = run.hosts as [TestHost, TestHost, TestHost];
    const ssh = { identity: run.clientKey.privateKeyPath, knownHostsFile: run.knownHostsPath };
    const current = (host: TestHost) => readlinkSync(join(host.dirs.optFleet, 'app/current'));
    const before = [current(h2), current(h3)];
    try {
      const back = await rollbackFleet({
        configText: demoFleetText(run, { scoutEnv: { MODE: 'slow' } }),
        env: TOKENS,
        ssh,
        hosts: ['h2', 'h3'],
        onEvent: (event) => {
          events.push(event);
          // h2 crashes once its `current` is swapped back: the kernel closes its connections.
          if (event.type === 'rollback_started' && event.host === 'h2') h2.kill('SIGKILL');
        },
      });
      expect(current(h2)).not.toBe(before[0]);
      expect(current(h3)).not.toBe(before[1]);
      expect(back.run).toMatchObject({ status: 'failed', trigger: 'rollback' });
      expect(back.rolledBack).toEqual(['h3']);
      expect(back.failure).toMatchObject({ host: 'h2', phase: 'rollback' });
      expect(back.run.hosts.map((host) => [host.host, host.status])).toEqual([
        ['h2', 'failed'],
        ['h3', 'changed'],
      ]);
      expect(lastRecorded(h1)).toMatchObject({ id: back.run.id, status: 'failed', trigger: 'rollback' });
      expect(existsSync(join(h1.dirs.varLibFleet, 'deploy/lock'))).toBe(false);
    } finally {
      await h2.restart();
    }
  }, 180_000);

  test("history records every run; no planted secret appears in events, results, history or the hosts' logs", async () => {
    const ssh = { identity: run.clientKey.privateKeyPath, knownHostsFile: run.knownHostsPath };
    const { runs } = await deployHistory({ configText: demoFleetText(run), env: TOKENS, ssh });
    expect(runs.length).toBeGreaterThanOrEqual(4);
    const everything = [
      JSON.stringify(events),
      JSON.stringify(runs),
      ...run.hosts.map((host) => readFileSync(host.sshdLog, 'utf8')),
      // What the services printed (their logs, as the stand-in systemctl keeps them).
      ...run.hosts.flatMap((host) =>
        readdirSync(host.dirs.systemctlState)
          .filter((name) => name.endsWith('.log'))
          .map((name) => readFileSync(join(host.dirs.systemctlState, name), 'utf8')),
      ),
    ].join('\n');
    expect(everything).toContain('listening on');
    for (const secret of Object.values(TOKENS)) expect(everything).not.toContain(secret);
    const h1 = run.hosts[0]!;
    const history = readFileSync(join(h1.dirs.varLibFleet, 'deploy/history.jsonl'), 'utf8');
    for (const secret of Object.values(TOKENS)) expect(history).not.toContain(secret);
  }, 60_000);

  test("the deploy hook's GET /deploys lists the runs of the lock host's history, as `fleet deploy hook` reads it", async () => {
    const ssh = { identity: run.clientKey.privateKeyPath, knownHostsFile: run.knownHostsPath };
    const options = { configText: demoFleetText(run), env: TOKENS, ssh };
    const { runs } = await deployHistory({ ...options, limit: 3 });
    const hook = await startDeployHookServer({
      secrets: ['hook-secret'],
      repository: 'ops/fleet',
      ref: 'main',
      run: async () => ({ status: 'ok' }),
      port: 0,
      history: fleetDeployHistory(options),
    });
    try {
      const answer = deployHookRoutes.deploys.response.parse(await (await fetch(`${hook.url}/deploys?limit=3`)).json());
      expect(answer.historyError).toBeUndefined();
      expect(answer.history?.map((entry) => [entry.id, entry.trigger, entry.status])).toEqual(
        runs.map((entry) => [entry.id, entry.trigger, entry.status]),
      );
      expect(answer.history?.length).toBe(3);
      expect(answer.history?.[0]?.hosts.map((host) => host.host).sort()).toEqual(
        runs[0]!.hosts.map((host) => host.host).sort(),
      );
    } finally {
      await hook.close();
    }
  }, 60_000);
});
