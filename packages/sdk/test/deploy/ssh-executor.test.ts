import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasSystemCommand } from '@fleet/test-utils/system-deps';
import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isDeployError } from '../../src/deploy/errors.ts';
import type { Plan } from '../../src/deploy/plan.ts';
import { runPlan } from '../../src/deploy/run-plan.ts';
import { hostKeyFingerprint } from '../../src/deploy/ssh/fingerprint.ts';
import { isHostKeyError } from '../../src/deploy/ssh/host-key-error.ts';
import { commandStep } from '../../src/deploy/steps/command.ts';
import { directoryStep } from '../../src/deploy/steps/directory.ts';
import { fileStep } from '../../src/deploy/steps/file.ts';
import { symlinkStep } from '../../src/deploy/steps/symlink.ts';
import { sshExecutors } from './_ssh.ts';

const OTHER_UID = 4242;
// The host's sudo is this machine's (the test hosts share its file system but for their mounts).
const hasSudo = hasSystemCommand('sudo', 'sudo');

describe.skipIf(!hasTestHostDeps())('SshExecutor on real test hosts', () => {
  let run: TestHosts;
  let a: TestHost;
  let b: TestHost;

  const sshTo = sshExecutors(() => run);

  /** A fresh directory on the host under /opt/fleet: its host path and its backing path here. */
  function scratch(host: TestHost): { path: string; local: string } {
    const local = mkdtempSync(join(host.dirs.optFleet, 't-'));
    return { path: `/opt/fleet/${local.slice(host.dirs.optFleet.length + 1)}`, local };
  }

  const sessions = (host: TestHost) =>
    readFileSync(host.sshdLog, 'utf8').match(/Starting session: command/g)?.length ?? 0;

  beforeAll(async () => {
    run = await startTestHosts(2);
    [a, b] = run.hosts as [TestHost, TestHost];
  });
  afterAll(() => run?.close());

  describe('run', () => {
    test('runs argv without a shell and a string through sh, with env and cwd, on one connection', async () => {
      const host = sshTo(a);
      const argv = await host.run(['printf', '%s', '$HOME; not expanded']);
      expect(argv).toMatchObject({ exitCode: 0, stdout: '$HOME; not expanded', timedOut: false, signal: null });
      const shell = await host.run('echo "$GREETING from $(pwd) on $(hostname)"; echo oops >&2; exit 3', {
        env: { GREETING: "it's\nmulti-line", EMPTY: '' },
        cwd: '/etc/fleet',
      });
      expect(shell.exitCode).toBe(3);
      expect(shell.stdout).toBe(`it's\nmulti-line from /etc/fleet on ${a.name}\n`);
      expect(shell.output).toContain('oops');
      const input = await host.run(['cat'], { input: 'fed on stdin\n' });
      expect(input.stdout).toBe('fed on stdin\n');
      expect(host.stats).toMatchObject({ connections: 1, execs: 3 });
    });

    test('a missing program is exit 127, not a throw', async () => {
      const result = await sshTo(a).run(['/nonexistent/program']);
      expect(result.exitCode).toBe(127);
      expect(result.output).toMatch(/not found/);
    });

    test('a timeout kills the remote command and its children on the host', async () => {
      const host = sshTo(a, { killGraceMs: 500 });
      const tag = `${4000 + Math.floor(Math.random() * 1000)}.${process.pid}`;
      const started = Date.now();
      const result = await host.run(`sleep ${tag}1 & sleep ${tag}2`, { timeoutMs: 500 });
      expect(result).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGTERM' });
      expect(Date.now() - started).toBeLessThan(5_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const left = await host.run(['pgrep', '-f', `sleep ${tag}[12]`]);
      expect(left.stdout).toBe('');
      expect(left.exitCode).toBe(1);
    });

    test('a command that exits while its background child holds the output returns its exit code, not a timeout', async () => {
      const host = sshTo(a, { killGraceMs: 500 });
      const tag = `${6000 + Math.floor(Math.random() * 1000)}.${process.pid}`;
      const result = await host.run(`sleep ${tag} & echo started; exit 0`, { timeoutMs: 2_000 });
      expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false, stdout: 'started\n' });
      // The background child was not the command's to wait for: it still runs.
      expect((await host.run(['pkill', '-f', `^sleep ${tag}$`])).exitCode).toBe(0);
    });

    test('a command that ignores SIGTERM is killed after the grace period', async () => {
      const result = await sshTo(a, { killGraceMs: 300 }).run(`trap '' TERM; sleep 30`, { timeoutMs: 300 });
      expect(result).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    });

    test('an abort signal stops the command on the host too', async () => {
      const host = sshTo(a, { killGraceMs: 300 });
      const tag = `${5000 + Math.floor(Math.random() * 1000)}.${process.pid}`;
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const result = await host.run(['sleep', tag], { signal: controller.signal });
      expect(result.timedOut).toBe(true);
      expect(result.durationMs).toBeLessThan(5_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await host.run(['pgrep', '-f', `[s]leep ${tag}`])).exitCode).toBe(1);
    });

    test('keeps only the tail of long output', async () => {
      const result = await sshTo(a, { maxOutputBytes: 1000 }).run('seq 1 100000');
      expect(result.stdout.length).toBeLessThan(1100);
      expect(result.stdout).toMatch(/bytes before this dropped/);
      expect(result.stdout.endsWith('99999\n100000\n')).toBe(true);
    });

    test.skipIf(!hasSudo)('runs as another user through sudo -n -u', async () => {
      const host = sshTo(a);
      expect((await host.run(['id', '-un'], { user: 'nobody', env: { X: 'y' } })).stdout).toBe('nobody\n');
      expect((await host.run(['id', '-un'], { user: 'root' })).stdout).toBe('root\n');
    });

    test('a secret in env never shows in the host process list', async () => {
      const host = sshTo(a);
      const secret = `s3cret-${Math.random().toString(36).slice(2)}`;
      const running = host.run('sleep 2; test -n "$TOKEN"', { env: { TOKEN: secret } });
      await new Promise((resolve) => setTimeout(resolve, 700));
      const ps = await host.run(['ps', '-eo', 'args']);
      expect(ps.stdout).toMatch(/sleep 2/);
      expect(ps.stdout).not.toContain(secret);
      expect((await running).exitCode).toBe(0);
    });
  });

  describe('files', () => {
    test('probe answers many paths in one exec: type, mode, owner, content, symlink target', async () => {
      const host = sshTo(a);
      const dir = scratch(a);
      writeFileSync(join(dir.local, 'app.conf'), 'port=1\n', { mode: 0o640 });
      writeFileSync(join(dir.local, 'empty'), '');
      writeFileSync(join(dir.local, 'big'), 'x'.repeat(100));
      writeFileSync(join(dir.local, "we ird\t'name"), 'odd\n');
      await host.stat('/'); // connect first: the count below is the probe alone
      const [execs, logged] = [host.stats.execs, sessions(a)];
      const many = Array.from({ length: 200 }, (_, index) => ({ path: `${dir.path}/missing-${index}` }));
      const infos = await host.probe([
        { path: dir.path, content: true },
        { path: `${dir.path}/app.conf`, content: true },
        { path: `${dir.path}/app.conf` },
        { path: `${dir.path}/empty`, content: true },
        { path: `${dir.path}/big`, content: true, maxBytes: 10 },
        { path: `${dir.path}/we ird\t'name`, content: true },
        { path: `${dir.path}/app.conf/deeper` },
        ...many,
      ]);
      expect(host.stats.execs - execs).toBe(1);
      expect(sessions(a) - logged).toBe(1);
      expect(infos[0]).toMatchObject({ exists: true, type: 'directory', owner: 'root', group: 'root', uid: 0 });
      expect(infos[0]).not.toHaveProperty('content');
      expect(infos[1]).toMatchObject({ type: 'file', mode: 0o640, content: 'port=1\n', size: 7 });
      expect(infos[1]).toHaveProperty('sha256', createHash('sha256').update('port=1\n').digest('hex'));
      expect(infos[2]).not.toHaveProperty('content');
      expect(infos[3]).toMatchObject({ type: 'file', content: '', size: 0 });
      expect(infos[4]).toMatchObject({ type: 'file', size: 100 });
      expect(infos[4]).not.toHaveProperty('content');
      expect(infos[4]).toHaveProperty('sha256');
      expect(infos[5]).toMatchObject({ content: 'odd\n' });
      expect(infos[6]).toEqual({ path: `${dir.path}/app.conf/deeper`, exists: false });
      expect(infos.slice(7).every((info) => !info.exists)).toBe(true);
      await host.symlink('/opt/app/releases/1', `${dir.path}/current`);
      expect(await host.stat(`${dir.path}/current`)).toMatchObject({ type: 'symlink', target: '/opt/app/releases/1' });
      expect(await host.readFile(`${dir.path}/app.conf`)).toBe('port=1\n');
      expect(await host.readFile(`${dir.path}/nothing`)).toBeUndefined();
    });

    test('writeFile replaces atomically: a new inode, the old mode and owner kept unless given, no temp left', async () => {
      const host = sshTo(a);
      const dir = scratch(a);
      const file = join(dir.local, 'app.env');
      writeFileSync(file, 'old\n', { mode: 0o600 });
      const before = lstatSync(file).ino;
      await host.writeFile(`${dir.path}/app.env`, 'new\n');
      expect(readFileSync(file, 'utf8')).toBe('new\n');
      expect(lstatSync(file).ino).not.toBe(before);
      expect(lstatSync(file).mode & 0o7777).toBe(0o600);
      await host.writeFile(`${dir.path}/app.env`, 'newer\n', { mode: 0o640, owner: OTHER_UID, group: OTHER_UID });
      expect(lstatSync(file)).toMatchObject({ uid: OTHER_UID, gid: OTHER_UID });
      expect(lstatSync(file).mode & 0o7777).toBe(0o640);
      await host.writeFile(`${dir.path}/app.env`, 'newest\n');
      expect(lstatSync(file)).toMatchObject({ uid: OTHER_UID, gid: OTHER_UID });
      expect(lstatSync(file).mode & 0o7777).toBe(0o640);
      await host.writeFile(`${dir.path}/named`, 'x', { owner: 'nobody', group: 'nogroup' });
      expect(await host.stat(`${dir.path}/named`)).toMatchObject({ owner: 'nobody', group: 'nogroup', mode: 0o644 });
      const big = 'y'.repeat(300_000);
      await host.writeFile(`${dir.path}/big`, big);
      expect(readFileSync(join(dir.local, 'big'), 'utf8')).toBe(big);
      expect(readdirSync(dir.local).sort()).toEqual(['app.env', 'big', 'named']);
    });

    test('writeFile into a missing directory fails with the path; an unknown user is named', async () => {
      const host = sshTo(a);
      const error = await host.writeFile('/opt/fleet/nope/app.env', 'x').catch((caught: unknown) => caught);
      expect(isDeployError(error) && error.code).toBe('executor_failed');
      expect((error as Error).message).toContain('/opt/fleet/nope/app.env');
      const dir = scratch(a);
      for (const attempt of [
        () => host.writeFile(`${dir.path}/f`, 'x', { owner: 'no-such-user-here' }),
        () => host.mkdir(`${dir.path}/d`, { owner: 'no-such-user-here' }),
      ]) {
        const unknown = await attempt().catch((caught: unknown) => caught);
        expect(isDeployError(unknown) && unknown.code).toBe('unknown_account');
        expect((unknown as Error).message).toContain('no-such-user-here');
      }
      expect(readdirSync(dir.local)).toEqual([]);
    });

    test('mkdir makes parents and sets attributes; setAttributes changes them', async () => {
      const host = sshTo(a);
      const dir = scratch(a);
      await host.mkdir(`${dir.path}/x/y/z`, { mode: 0o750, owner: 'nobody', group: OTHER_UID });
      expect(lstatSync(join(dir.local, 'x/y/z'))).toMatchObject({ gid: OTHER_UID });
      expect(lstatSync(join(dir.local, 'x/y/z')).mode & 0o7777).toBe(0o750);
      expect(await host.stat(`${dir.path}/x/y/z`)).toMatchObject({ type: 'directory', owner: 'nobody' });
      await host.setAttributes(`${dir.path}/x`, { mode: 0o700, owner: OTHER_UID });
      expect(lstatSync(join(dir.local, 'x'))).toMatchObject({ uid: OTHER_UID });
      expect(lstatSync(join(dir.local, 'x')).mode & 0o7777).toBe(0o700);
    });

    test('symlink swaps atomically: a reader never sees the link missing', async () => {
      const host = sshTo(a);
      const dir = scratch(a);
      const link = join(dir.local, 'current');
      await host.symlink('/releases/0', `${dir.path}/current`);
      let missing = 0;
      let reading = true;
      const reader = (async () => {
        while (reading) {
          try {
            readlinkSync(link);
          } catch {
            missing += 1;
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      for (let release = 1; release <= 50; release += 1)
        await host.symlink(`/releases/${release}`, `${dir.path}/current`);
      reading = false;
      await reader;
      expect(missing).toBe(0);
      expect(readlinkSync(link)).toBe('/releases/50');
      expect(readdirSync(dir.local)).toEqual(['current']);
    });
  });

  test('runPlan apply, then apply again through SSH: 0 changes, and the round trips of the no-op run', async () => {
    const host = sshTo(b);
    const dir = scratch(b);
    const plan: Plan = {
      phases: [
        {
          name: 'site',
          steps: [
            directoryStep({ path: `${dir.path}/app`, mode: '0750', owner: 'nobody' }),
            fileStep({
              path: `${dir.path}/app/app.env`,
              template: 'PORT={{ port }}\n',
              vars: { port: 8650 },
              mode: '0640',
            }),
            fileStep({ path: `${dir.path}/app/literal.txt`, content: 'hello\n', owner: OTHER_UID }),
            symlinkStep({ path: `${dir.path}/current`, target: `${dir.path}/app` }),
            commandStep({ command: `echo built >> ${dir.path}/built`, creates: `${dir.path}/built` }),
          ],
        },
      ],
    };
    const first = await runPlan(plan, { executor: host, mode: 'apply' });
    expect(first.counts).toMatchObject({ changed: 5, failed: 0 });
    const before = { ...host.stats };
    const second = await runPlan(plan, { executor: host, mode: 'apply' });
    expect(second.counts).toMatchObject({ ok: 5, changed: 0, failed: 0, mayChange: 0 });
    const noop = {
      execs: host.stats.execs - before.execs,
      sftpRequests: host.stats.sftpRequests - before.sftpRequests,
    };
    // Every step's facts come from one probe: the whole no-op run is one round trip.
    expect(noop).toEqual({ execs: 1, sftpRequests: 0 });
    expect(readFileSync(join(dir.local, 'app/app.env'), 'utf8')).toBe('PORT=8650\n');
    expect(readFileSync(join(dir.local, 'built'), 'utf8')).toBe('built\n');
  });

  describe('host keys', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'fleet-ssh-known-hosts-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test('an unknown host key is refused with its fingerprint; a changed one with both', async () => {
      const empty = join(dir, 'empty');
      writeFileSync(empty, '');
      const unknown = await sshTo(a, { knownHostsFile: empty })
        .run(['true'])
        .catch((caught: unknown) => caught);
      expect(isHostKeyError(unknown) && unknown.code).toBe('unknown');
      expect((unknown as Error).message).toContain(hostKeyFingerprint(a.hostKeyBlob));

      const wrong = join(dir, 'wrong');
      writeFileSync(wrong, `${a.address} ${b.hostKey}\n`);
      const changed = await sshTo(a, { knownHostsFile: wrong })
        .stat('/')
        .catch((caught: unknown) => caught);
      expect(isHostKeyError(changed) && changed.code).toBe('changed');
      expect((changed as Error).message).toContain(hostKeyFingerprint(a.hostKeyBlob));
      expect((changed as Error).message).toContain(hostKeyFingerprint(b.hostKeyBlob));
      expect(readFileSync(empty, 'utf8')).toBe('');
    });

    test('acceptNewHostKeys records the key; a strict executor then connects with it', async () => {
      const file = join(dir, 'accept');
      const first = sshTo(a, { knownHostsFile: file, acceptNewHostKeys: true });
      expect((await first.run(['hostname'])).stdout).toBe(`${a.name}\n`);
      expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|\S+ ssh-ed25519 \S+\n$/);
      const strict = sshTo(a, { knownHostsFile: file });
      expect((await strict.run(['hostname'])).stdout).toBe(`${a.name}\n`);
      const other = await sshTo(b, { knownHostsFile: file })
        .run(['true'])
        .catch((caught: unknown) => caught);
      expect(isHostKeyError(other) && other.code).toBe('unknown');
    });
  });
});
