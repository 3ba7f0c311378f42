import { chmodSync, lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasSystemCommand } from '@fleet/test-utils/system-deps';
import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isDeployError } from '../../src/deploy/errors.ts';
import type { Plan } from '../../src/deploy/plan.ts';
import { runPlan } from '../../src/deploy/run-plan.ts';
import { directoryStep } from '../../src/deploy/steps/directory.ts';
import { fileStep } from '../../src/deploy/steps/file.ts';
import { symlinkStep } from '../../src/deploy/steps/symlink.ts';
import { addDeployUser, type DeployUser } from './_deploy-users.ts';
import { scratch, sshExecutors } from './_ssh.ts';

// The hosts share this machine's /etc/passwd, /home and /etc/sudoers.d (not /etc/fleet).
const canRun = hasTestHostDeps() && hasSystemCommand('sudo', 'sudo') && hasSystemCommand('useradd', 'passwd');

describe.skipIf(!canRun)('SshExecutor logged in as a user other than root', () => {
  let run: TestHosts;
  let host: TestHost;
  let deployer: DeployUser;
  let asksPassword: DeployUser;
  let noSudo: DeployUser;
  const sshTo = sshExecutors(() => run);
  const as = (user: DeployUser, sudo?: boolean) =>
    sshTo(host, { username: user.name, ...(sudo === undefined ? {} : { sudo }) });

  beforeAll(async () => {
    deployer = addDeployUser('nopasswd');
    asksPassword = addDeployUser('password');
    noSudo = addDeployUser('none');
    // After the users: the hosts may copy /etc/shadow when they start.
    run = await startTestHosts(1);
    [host] = run.hosts as [TestHost];
    for (const user of [deployer, asksPassword, noSudo]) run.authorize(user.name);
  });
  afterAll(async () => {
    await run?.close();
    for (const user of [deployer, asksPassword, noSudo]) user?.remove();
  });

  test('the login user alone cannot write /etc/fleet: sudo is what makes the writes below work', async () => {
    const dir = scratch(host, 'etcFleet');
    const plain = as(deployer, false);
    expect(plain.sudo).toBe(false);
    expect((await plain.run(['id', '-un'])).stdout).toBe(`${deployer.name}\n`);
    const error = await plain.writeFile(`${dir.path}/x`, 'x').catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/Permission denied|permission/i);
    expect(readdirSync(dir.local)).toEqual([]);
  });

  test('without sudo, a root-only file it can see but not read is an error, never an empty file', async () => {
    const plain = as(deployer, false);
    const dir = scratch(host, 'etcFleet');
    chmodSync(dir.local, 0o755);
    writeFileSync(join(dir.local, 'secret'), 'TOKEN=s3cret\n', { mode: 0o600 });
    expect(await plain.stat(`${dir.path}/secret`)).toMatchObject({ exists: true, mode: 0o600, owner: 'root' });
    const error = await plain.readFile(`${dir.path}/secret`).catch((caught: unknown) => caught);
    expect(isDeployError(error) && error.code).toBe('executor_failed');
    expect((error as Error).message).toMatch(new RegExp(`^Could not probe ${dir.path}/secret: .*Permission denied$`));
    const plan: Plan = {
      phases: [{ name: 'config', steps: [fileStep({ path: `${dir.path}/secret`, content: 'TOKEN=other\n' })] }],
    };
    const planned = await runPlan(plan, { executor: plain, mode: 'plan' });
    expect(planned.phases[0]!.steps[0]).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/Permission denied/),
      changes: [],
    });
  });

  test('writeFile through sudo: a root-owned 0600 file, replaced atomically, attributes kept, no temp left', async () => {
    const executor = as(deployer);
    expect(executor.sudo).toBe(true);
    const dir = scratch(host, 'etcFleet');
    const file = join(dir.local, 'bus.env');
    await executor.writeFile(`${dir.path}/bus.env`, 'TOKEN=one\n', { mode: 0o600 });
    expect(readFileSync(file, 'utf8')).toBe('TOKEN=one\n');
    expect(lstatSync(file)).toMatchObject({ uid: 0, gid: 0 });
    expect(lstatSync(file).mode & 0o7777).toBe(0o600);
    const before = lstatSync(file).ino;
    await executor.writeFile(`${dir.path}/bus.env`, "TOKEN=two 'quoted' $HOME\n");
    expect(readFileSync(file, 'utf8')).toBe("TOKEN=two 'quoted' $HOME\n");
    expect(lstatSync(file).ino).not.toBe(before);
    expect(lstatSync(file).mode & 0o7777).toBe(0o600);
    await executor.writeFile(`${dir.path}/bus.env`, 'TOKEN=three\n', {
      owner: 'nobody',
      group: 'nogroup',
      mode: 0o640,
    });
    await executor.writeFile(`${dir.path}/bus.env`, 'TOKEN=four\n');
    expect(await executor.stat(`${dir.path}/bus.env`)).toMatchObject({
      owner: 'nobody',
      group: 'nogroup',
      mode: 0o640,
    });
    const bytes = Uint8Array.from([0, 255, 10, 13, 0x27]);
    await executor.writeFile(`${dir.path}/blob`, bytes);
    expect(new Uint8Array(readFileSync(join(dir.local, 'blob')))).toEqual(bytes);
    expect(lstatSync(join(dir.local, 'blob')).mode & 0o7777).toBe(0o644);
    await executor.writeFile(`${dir.path}/empty`, '');
    expect(readFileSync(join(dir.local, 'empty'), 'utf8')).toBe('');
    expect(readdirSync(dir.local).sort()).toEqual(['blob', 'bus.env', 'empty']);
  });

  test('a failed write under sudo names the path or the account and leaves nothing behind', async () => {
    const executor = as(deployer);
    const missing = await executor.writeFile('/etc/fleet/no/such/dir', 'x').catch((caught: unknown) => caught);
    expect(isDeployError(missing) && missing.code).toBe('executor_failed');
    expect((missing as Error).message).toContain('/etc/fleet/no/such/dir');
    const dir = scratch(host, 'etcFleet');
    const unknown = await executor
      .writeFile(`${dir.path}/f`, 'x', { owner: 'no-such-user-here' })
      .catch((caught: unknown) => caught);
    expect(isDeployError(unknown) && unknown.code).toBe('unknown_account');
    expect(readdirSync(dir.local)).toEqual([]);
  });

  test('probe, mkdir, setAttributes and symlink of root-only paths work through sudo', async () => {
    const executor = as(deployer);
    const dir = scratch(host, 'etcFleet'); // 0700 root: the login user cannot even look inside
    writeFileSync(join(dir.local, 'secret'), 'hidden\n', { mode: 0o600 });
    expect(await executor.readFile(`${dir.path}/secret`)).toBe('hidden\n');
    expect(await executor.stat(`${dir.path}/missing`)).toMatchObject({ exists: false });
    await executor.mkdir(`${dir.path}/a/b`, { owner: 'nobody', mode: 0o750 });
    expect(await executor.stat(`${dir.path}/a/b`)).toMatchObject({ type: 'directory', owner: 'nobody', mode: 0o750 });
    await executor.setAttributes(`${dir.path}/a`, { group: 'nogroup', mode: 0o710 });
    expect(await executor.stat(`${dir.path}/a`)).toMatchObject({ owner: 'root', group: 'nogroup', mode: 0o710 });
    await executor.symlink('/opt/app/releases/1', `${dir.path}/current`);
    await executor.symlink('/opt/app/releases/2', `${dir.path}/current`);
    expect(await executor.stat(`${dir.path}/current`)).toMatchObject({
      type: 'symlink',
      target: '/opt/app/releases/2',
    });
    expect(readdirSync(dir.local).sort()).toEqual(['a', 'current', 'secret']);
    const conflict = await executor.symlink('/x', `${dir.path}/a`).catch((caught: unknown) => caught);
    expect(isDeployError(conflict) && conflict.code).toBe('executor_failed');
    expect(readdirSync(dir.local).sort()).toEqual(['a', 'current', 'secret']);
  });

  test('commands run as root through sudo, or as the user asked for', async () => {
    const executor = as(deployer);
    const root = await executor.run('id -un; cat', { env: { X: 'y' }, input: 'in\n' });
    expect(root).toMatchObject({ exitCode: 0, stdout: 'root\nin\n' });
    expect((await executor.run(['id', '-un'], { user: 'nobody' })).stdout).toBe('nobody\n');
    expect((await executor.run(['id', '-un'], { user: deployer.name })).stdout).toBe(`${deployer.name}\n`);
    expect((await executor.run(['sh', '-c', 'exit 1'])).exitCode).toBe(1);
  });

  test('a plan applies through sudo, then applies again with 0 changes', async () => {
    const executor = as(deployer);
    const dir = scratch(host, 'etcFleet');
    const plan: Plan = {
      phases: [
        {
          name: 'config',
          steps: [
            directoryStep({ path: `${dir.path}/bus`, mode: '0750' }),
            fileStep({ path: `${dir.path}/bus/bus.env`, content: 'TOKEN=s3cret\n', mode: '0600' }),
            symlinkStep({ path: `${dir.path}/current`, target: `${dir.path}/bus` }),
          ],
        },
      ],
    };
    expect((await runPlan(plan, { executor, mode: 'apply' })).counts).toMatchObject({ changed: 3, failed: 0 });
    expect((await runPlan(plan, { executor, mode: 'apply' })).counts).toMatchObject({ ok: 3, changed: 0, failed: 0 });
    expect(lstatSync(join(dir.local, 'bus/bus.env'))).toMatchObject({ uid: 0 });
  });

  test('a sudo that wants a password, or no sudo rights at all, fails at once saying to configure NOPASSWD', async () => {
    const dir = scratch(host, 'etcFleet');
    for (const user of [asksPassword, noSudo]) {
      const executor = as(user);
      const attempts: [string, () => Promise<unknown>][] = [
        ['run', () => executor.run(['true'])],
        ['writeFile', () => executor.writeFile(`${dir.path}/f`, 'x')],
        ['probe', () => executor.stat(`${dir.path}/f`)],
        ['mkdir', () => executor.mkdir(`${dir.path}/d`)],
        ['symlink', () => executor.symlink('/x', `${dir.path}/l`)],
      ];
      for (const [what, attempt] of attempts) {
        const error = await attempt().then(
          () => new Error(`${what} as ${user.name} succeeded`),
          (caught: unknown) => caught,
        );
        expect(isDeployError(error) && error.code, `${what} as ${user.name}`).toBe('executor_failed');
        expect((error as Error).message).toContain(`refused ${user.name}`);
        expect((error as Error).message).toContain('NOPASSWD');
      }
    }
    expect(readdirSync(dir.local)).toEqual([]);
  });
});
