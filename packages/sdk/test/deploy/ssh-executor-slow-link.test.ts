import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scratch, sshExecutors } from './_ssh.ts';

// sshd reports a command's exit as soon as it ends, with its output still on the way: on a slow
// link, whatever did not fit the channel window arrives seconds after the exit status. None of it
// may be lost (a file read through the probe came back cut short, without an error).
describe.skipIf(!hasTestHostDeps())('SshExecutor over a slow link', () => {
  let run: TestHosts;
  let host: TestHost;
  const sshTo = sshExecutors(() => run);

  beforeAll(async () => {
    run = await startTestHosts(1);
    [host] = run.hosts as [TestHost];
    // 4 Mbit/s from the host to this machine, on the host's side of its veth pair.
    const links = execFileSync('ip', ['-n', host.name, '-o', 'link'], { encoding: 'utf8' });
    const veth = /^\d+: ([^@:\s]+)@/m.exec(links.split('\n').find((line) => !/: lo:/.test(line)) ?? '')?.[1];
    if (veth === undefined) throw new Error(`no veth in the host's namespace: ${links}`);
    execFileSync('ip', [
      'netns',
      'exec',
      host.name,
      'tc',
      'qdisc',
      'add',
      'dev',
      veth,
      'root',
      'tbf',
      'rate',
      '4mbit',
      'burst',
      '32kbit',
      'latency',
      '400ms',
    ]);
  }, 60_000);
  afterAll(() => run?.close());

  test('a command whose output outlasts its exit returns all of it', async () => {
    const executor = sshTo(host, { maxOutputBytes: 16 * 1024 * 1024 });
    const result = await executor.run(['sh', '-c', 'head -c 4000000 /dev/zero | tr "\\0" x; echo; echo END']);
    expect(result).toMatchObject({ exitCode: 0, timedOut: false });
    expect(result.stdout.length).toBe(4_000_000 + 1 + 4);
    expect(result.stdout.endsWith('\nEND\n')).toBe(true);
  }, 60_000);

  test('readFile of a file larger than the channel window returns all of it', async () => {
    const dir = scratch(host);
    const text = `${'y'.repeat(3_000_000)}END\n`;
    writeFileSync(join(dir.local, 'big.txt'), text);
    const content = await sshTo(host, { maxOutputBytes: 16 * 1024 * 1024 }).readFile(`${dir.path}/big.txt`);
    expect(content?.length).toBe(text.length);
    expect(content === text).toBe(true);
  }, 60_000);
});
