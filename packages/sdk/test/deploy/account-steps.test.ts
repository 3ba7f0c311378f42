import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Plan } from '../../src/deploy/plan.ts';
import { runPlan } from '../../src/deploy/run-plan.ts';
import { groupStep } from '../../src/deploy/steps/group.ts';
import { userStep } from '../../src/deploy/steps/user.ts';
import { sshExecutors } from './_ssh.ts';

// The test hosts share this machine's /etc/passwd and /etc/group: every account a test makes has
// a fresh `fltt<hex>` name and is deleted after the test.
const made: { users: string[]; groups: string[] } = { users: [], groups: [] };
const fresh = (kind: 'users' | 'groups'): string => {
  const name = `fltt${randomBytes(4).toString('hex')}`;
  made[kind].push(name);
  return name;
};
const getent = (database: 'passwd' | 'group', name: string) =>
  spawnSync('getent', [database, name], { encoding: 'utf8' }).stdout.trim();
const groupsOf = (user: string) => spawnSync('id', ['-Gn', user], { encoding: 'utf8' }).stdout.trim().split(' ');

describe.skipIf(!hasTestHostDeps())('user and group steps on a test host', () => {
  let run: TestHosts;
  const sshAsRoot = sshExecutors(() => run);
  let host: TestHost;
  beforeAll(async () => {
    run = await startTestHosts(1);
    host = run.hosts[0]!;
  });
  afterAll(() => run?.close());
  afterEach(() => {
    for (const user of made.users.splice(0)) spawnSync('userdel', [user]);
    for (const group of made.groups.splice(0)) spawnSync('groupdel', [group]);
  });

  const plan = (...steps: Plan['phases'][number]['steps']): Plan => ({ phases: [{ name: 'accounts', steps }] });

  test('groupStep: plan creates nothing, apply runs groupadd --system, a second apply changes nothing', async () => {
    const group = fresh('groups');
    const executor = sshAsRoot(host);
    const steps = plan(groupStep({ group, system: true }));
    const preview = await runPlan(steps, { executor, mode: 'plan' });
    expect(preview.phases[0]?.steps[0]).toMatchObject({
      status: 'changed',
      changes: [{ action: 'create', target: `group ${group}`, summary: 'create system group' }],
    });
    expect(getent('group', group)).toBe('');

    expect((await runPlan(steps, { executor, mode: 'apply' })).counts).toMatchObject({ changed: 1, failed: 0 });
    const gid = Number(getent('group', group).split(':')[2]);
    expect(gid).toBeGreaterThan(0);
    expect(gid).toBeLessThan(1000); // the system range of Debian's login.defs
    expect((await runPlan(steps, { executor, mode: 'apply' })).counts).toMatchObject({ ok: 1, changed: 0 });
  });

  test('userStep: plan creates nothing, apply runs useradd --system with home, shell and groups, a second apply changes nothing', async () => {
    const group = fresh('groups');
    const user = fresh('users');
    const executor = sshAsRoot(host);
    const steps = plan(
      groupStep({ group, system: true }),
      userStep({
        user,
        system: true,
        home: '/var/lib/fleet/svc',
        shell: '/usr/sbin/nologin',
        groups: [group],
        createHome: true,
      }),
    );
    const preview = await runPlan(steps, { executor, mode: 'plan' });
    expect(preview.phases[0]?.steps[1]).toMatchObject({
      status: 'changed',
      changes: [
        {
          action: 'create',
          summary: `create system user (home /var/lib/fleet/svc, shell /usr/sbin/nologin, groups ${group})`,
        },
      ],
    });
    expect(getent('passwd', user)).toBe('');

    expect((await runPlan(steps, { executor, mode: 'apply' })).counts).toMatchObject({ changed: 2, failed: 0 });
    const fields = getent('passwd', user).split(':');
    expect(fields.slice(5)).toEqual(['/var/lib/fleet/svc', '/usr/sbin/nologin']);
    expect(Number(fields[2])).toBeLessThan(1000);
    expect(groupsOf(user)).toContain(group);
    // createHome made it on the host (its private /var/lib/fleet), not on this machine.
    expect((await executor.stat('/var/lib/fleet/svc')).exists).toBe(true);

    const again = await runPlan(steps, { executor, mode: 'apply' });
    expect(again.counts).toMatchObject({ ok: 2, changed: 0, failed: 0 });
  });

  test('userStep with a primary group made before: useradd --gid joins it instead of failing on a same-named group', async () => {
    const user = fresh('users');
    made.groups.push(user);
    const executor = sshAsRoot(host);
    // The site plan's order: the group named after the service user first, then the user.
    const steps = plan(groupStep({ group: user, system: true }), userStep({ user, system: true, group: user }));
    expect((await runPlan(steps, { executor, mode: 'apply' })).counts).toMatchObject({ changed: 2, failed: 0 });
    expect(Number(getent('passwd', user).split(':')[3])).toBe(Number(getent('group', user).split(':')[2]));
    expect((await runPlan(steps, { executor, mode: 'apply' })).counts).toMatchObject({ ok: 2, changed: 0 });
  });

  test('userStep on an existing user: adds missing groups (keeping others), sets the shell, and only then', async () => {
    const [first, second] = [fresh('groups'), fresh('groups')];
    const user = fresh('users');
    const executor = sshAsRoot(host);
    await runPlan(
      plan(groupStep({ group: first }), groupStep({ group: second }), userStep({ user, groups: [first] })),
      {
        executor,
        mode: 'apply',
      },
    );
    const steps = plan(userStep({ user, shell: '/usr/sbin/nologin', groups: [second] }));
    const preview = await runPlan(steps, { executor, mode: 'plan' });
    expect(preview.phases[0]?.steps[0]?.changes.map((change) => change.summary)).toEqual([
      `shell ${getent('passwd', user).split(':')[6]} -> /usr/sbin/nologin`,
      `add to groups ${second}`,
    ]);
    expect(groupsOf(user)).not.toContain(second);

    expect((await runPlan(steps, { executor, mode: 'apply' })).counts).toMatchObject({ changed: 1, failed: 0 });
    expect(groupsOf(user)).toEqual(expect.arrayContaining([first, second]));
    expect(getent('passwd', user).split(':')[6]).toBe('/usr/sbin/nologin');
    expect((await runPlan(steps, { executor, mode: 'apply' })).counts).toMatchObject({ ok: 1, changed: 0 });
  });

  test('a supplementary group that does not exist fails the step with useradd’s message', async () => {
    const user = fresh('users');
    const result = await runPlan(plan(userStep({ user, groups: ['flttnosuchgroup'] })), {
      executor: sshAsRoot(host),
      mode: 'apply',
    });
    expect(result.phases[0]?.steps[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('useradd') });
    expect(result.phases[0]?.steps[0]?.output).toContain('flttnosuchgroup');
    expect(getent('passwd', user)).toBe('');
  });

  test('invalid names are a plan error before anything runs', () => {
    expect(() => userStep({ user: 'Root; rm -rf /' })).toThrow(/Invalid user name/);
    expect(() => groupStep({ group: '-x' })).toThrow(/Invalid group name/);
  });
});
