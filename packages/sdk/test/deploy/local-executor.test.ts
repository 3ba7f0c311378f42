import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isDeployError } from '../../src/deploy/errors.ts';
import { tempHost } from './_host.ts';

const uid = process.getuid!();
const gid = process.getgid!();
const OTHER_UID = 4242;

/** Running, not gone and not a zombie waiting for a parent (PID 1 of a container may never reap it). */
function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

describe('LocalExecutor.run', () => {
  test('runs argv without a shell and a string through sh, with env and a cwd under the root', async () => {
    const host = tempHost();
    mkdirSync(join(host.root, 'srv'));
    const argv = await host.run(['printf', '%s', '$HOME; not expanded']);
    expect(argv).toMatchObject({ exitCode: 0, stdout: '$HOME; not expanded', timedOut: false });
    const shell = await host.run('echo "$GREETING from $(pwd)"; echo oops >&2; exit 3', {
      env: { GREETING: 'hello' },
      cwd: '/srv',
    });
    expect(shell.exitCode).toBe(3);
    expect(shell.stdout).toBe(`hello from ${join(host.root, 'srv')}\n`);
    expect(shell.output).toContain('oops');
  });

  test('a missing program is exit 127, not a throw', async () => {
    const result = await tempHost().run(['/nonexistent/program']);
    expect(result.exitCode).toBe(127);
    expect(result.output).toContain('ENOENT');
  });

  test('a timeout kills the whole process group, grandchildren included', async () => {
    const host = tempHost({ killGraceMs: 200 });
    const pidFile = join(host.root, 'grandchild.pid');
    const started = Date.now();
    const result = await host.run(`sh -c 'echo $$ > ${pidFile}; sleep 30' & sleep 30`, { timeoutMs: 300 });
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(Date.now() - started).toBeLessThan(5000);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(grandchild)).toBe(false);
  });

  test('a command that ignores SIGTERM is killed after the grace period', async () => {
    const host = tempHost({ killGraceMs: 200 });
    const result = await host.run(`trap '' TERM; sleep 30`, { timeoutMs: 200 });
    expect(result).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
  });

  test('an abort signal stops a running command', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await tempHost().run(['sleep', '30'], { signal: controller.signal });
    expect(result.timedOut).toBe(true);
  });

  test('keeps only the tail of long output', async () => {
    const host = tempHost({ maxOutputBytes: 1000 });
    const result = await host.run(`seq 1 100000`);
    expect(result.stdout.length).toBeLessThan(1100);
    expect(result.stdout).toMatch(/bytes before this dropped/);
    expect(result.stdout.endsWith('99999\n100000\n')).toBe(true);
  });

  test('runs as another user, by name', async () => {
    const result = await tempHost().run(['id', '-u'], { user: 'nobody' });
    expect(result.stdout.trim()).not.toBe(String(uid));
  });
});

describe('LocalExecutor files', () => {
  test('probe answers many paths in one call: type, mode, owner, content, symlink target', async () => {
    const host = tempHost();
    mkdirSync(join(host.root, 'etc'), { mode: 0o750 });
    writeFileSync(join(host.root, 'etc/app.conf'), 'port=1\n', { mode: 0o640 });
    const infos = await host.probe([
      { path: '/etc', content: true },
      { path: '/etc/app.conf', content: true },
      { path: '/etc/app.conf' },
      { path: '/missing/deeper' },
    ]);
    expect(infos[0]).toMatchObject({ exists: true, type: 'directory', mode: 0o750, uid, gid, owner: 'root' });
    expect(infos[0]).not.toHaveProperty('content');
    expect(infos[1]).toMatchObject({ type: 'file', mode: 0o640, content: 'port=1\n', size: 7 });
    expect(infos[1]).toHaveProperty('sha256');
    expect(infos[2]).not.toHaveProperty('content');
    expect(infos[3]).toEqual({ path: '/missing/deeper', exists: false });
    await host.symlink('/opt/app/releases/1', '/etc/current');
    expect(await host.stat('/etc/current')).toMatchObject({ type: 'symlink', target: '/opt/app/releases/1' });
  });

  test('paths must be absolute and cannot climb out of the root', async () => {
    const host = tempHost();
    const error = await host.stat('etc/passwd').catch((caught: unknown) => caught);
    expect(isDeployError(error) && error.code).toBe('invalid_path');
    expect(host.hostPath('/etc/../../../escape')).toBe(join(host.root, 'escape'));
  });

  test('writeFile replaces atomically: a new inode, the old mode and owner kept unless given', async () => {
    const host = tempHost();
    const file = join(host.root, 'app.env');
    writeFileSync(file, 'old\n', { mode: 0o600 });
    const before = lstatSync(file).ino;
    await host.writeFile('/app.env', 'new\n');
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(lstatSync(file).ino).not.toBe(before);
    expect(lstatSync(file).mode & 0o7777).toBe(0o600);
    await host.writeFile('/app.env', 'newer\n', { mode: 0o640, owner: OTHER_UID, group: OTHER_UID });
    expect(lstatSync(file)).toMatchObject({ uid: OTHER_UID, gid: OTHER_UID });
    expect(lstatSync(file).mode & 0o7777).toBe(0o640);
    await host.writeFile('/app.env', 'newest\n');
    expect(lstatSync(file)).toMatchObject({ uid: OTHER_UID, gid: OTHER_UID });
    // No temp file is left behind.
    expect(existsSync(join(host.root, 'app.env'))).toBe(true);
    expect((await host.run(['ls', '-A', host.root])).stdout.trim()).toBe('app.env');
  });

  test('writeFile into a missing directory fails with the path and leaves nothing', async () => {
    const host = tempHost();
    const error = await host.writeFile('/nope/app.env', 'x').catch((caught: unknown) => caught);
    expect(isDeployError(error) && error.code).toBe('executor_failed');
    expect((error as Error).message).toContain('/nope/app.env');
  });

  test('an unknown user name is an error naming it', async () => {
    const host = tempHost();
    const error = await host.mkdir('/d', { owner: 'no-such-user-here' }).catch((caught: unknown) => caught);
    expect(isDeployError(error) && error.code).toBe('unknown_account');
    expect((error as Error).message).toContain('no-such-user-here');
  });

  test('symlink swaps atomically: a reader never sees the link missing', async () => {
    const host = tempHost();
    const link = join(host.root, 'current');
    await host.symlink('/releases/0', '/current');
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
    for (let release = 1; release <= 200; release += 1) await host.symlink(`/releases/${release}`, '/current');
    reading = false;
    await reader;
    expect(missing).toBe(0);
    expect(readlinkSync(link)).toBe('/releases/200');
  });
});
