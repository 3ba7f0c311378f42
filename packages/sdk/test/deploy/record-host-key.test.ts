import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkHostKey } from '../../src/deploy/ssh/check-host-key.ts';
import { isHostKeyError } from '../../src/deploy/ssh/host-key-error.ts';
import { loadKnownHosts } from '../../src/deploy/ssh/load-known-hosts.ts';
import { recordHostKey } from '../../src/deploy/ssh/record-host-key.ts';
import { generateHostKey, hasSshKeygen, sshKeygenFind, useTempDir } from './_host-keys.ts';

const ed = generateHostKey('ed25519');
const rsa = generateHostKey('rsa');

describe('recordHostKey', () => {
  const dir = useTempDir();

  test('creates the file with mode 0600 and its missing parents with mode 0700', async () => {
    const file = join(dir.path, 'home', '.ssh', 'known_hosts');
    const result = await recordHostKey(file, 'web1', 22, ed.blob);
    expect(result.recorded).toBe(true);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir.path, 'home', '.ssh'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir.path, 'home'))).mode & 0o777).toBe(0o700);
    expect(await readFile(file, 'utf8')).toBe(`${result.line}\n`);
  });

  test('writes a hashed line by default, which names neither host nor port', async () => {
    const file = join(dir.path, 'known_hosts');
    const { line } = await recordHostKey(file, 'web1.example.com', 2222, ed.blob);
    expect(line).toMatch(/^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}= ssh-ed25519 AAAA[A-Za-z0-9+/]+=*$/);
    expect(line).not.toMatch(/web1|2222/);
    const { value, errors } = await loadKnownHosts(file);
    expect(errors).toEqual([]);
    expect(checkHostKey(value, 'web1.example.com', 2222, ed.blob).status).toBe('trusted');
    expect(checkHostKey(value, 'web1.example.com', 22, ed.blob).status).toBe('unknown');
  });

  test.skipIf(!hasSshKeygen)('ssh-keygen -F finds the hashed line for the host and port, and only there', async () => {
    const file = join(dir.path, 'known_hosts');
    await recordHostKey(file, 'Web1', 2222, ed.blob);
    await recordHostKey(file, '10.0.0.5', 22, rsa.blob);
    expect(sshKeygenFind(file, '[web1]:2222').plain).toEqual([1]);
    expect(sshKeygenFind(file, 'web1').plain).toEqual([]);
    expect(sshKeygenFind(file, '10.0.0.5').plain).toEqual([2]);
  });

  test('writes a plain line on request: host on port 22, [host]:port elsewhere', async () => {
    const file = join(dir.path, 'known_hosts');
    await recordHostKey(file, 'Web1', 22, ed.blob, { hash: false });
    await recordHostKey(file, '::1', 2222, rsa.blob, { hash: false });
    expect(await readFile(file, 'utf8')).toBe(`web1 ${ed.publicKey}\n[::1]:2222 ${rsa.publicKey}\n`);
  });

  test('never duplicates a key the file already trusts for the host, hashed or plain', async () => {
    const file = await dir.write('known_hosts', `# mine\nweb1,web2 ${ed.publicKey}`);
    expect(await recordHostKey(file, 'web2', 22, ed.blob)).toEqual({ recorded: false, line: undefined });
    expect(await readFile(file, 'utf8')).toBe(`# mine\nweb1,web2 ${ed.publicKey}`);

    const { line } = await recordHostKey(file, 'web3', 22, ed.blob);
    expect(await recordHostKey(file, 'web3', 22, ed.blob)).toEqual({ recorded: false, line: undefined });
    expect(await recordHostKey(file, 'WEB3', 22, ed.blob, { hash: false })).toEqual({
      recorded: false,
      line: undefined,
    });
    // The file had no final newline: the new line starts on a line of its own.
    expect(await readFile(file, 'utf8')).toBe(`# mine\nweb1,web2 ${ed.publicKey}\n${line}\n`);
  });

  test('refuses to record a changed or revoked key, and leaves the file as it was', async () => {
    const file = await dir.write('known_hosts', `web1 ${rsa.publicKey}\n@revoked * ${ed.publicKey}\n`);
    const changed = await recordHostKey(file, 'web1', 22, generateHostKey('ed25519').blob).catch((error) => error);
    expect(isHostKeyError(changed) && changed.code).toBe('changed');
    const revoked = await recordHostKey(file, 'web2', 22, ed.blob).catch((error) => error);
    expect(isHostKeyError(revoked) && revoked.code).toBe('revoked');
    expect(await readFile(file, 'utf8')).toBe(`web1 ${rsa.publicKey}\n@revoked * ${ed.publicKey}\n`);
  });

  test('keeps the mode of an existing file', async () => {
    const file = await dir.write('known_hosts', '');
    await chmod(file, 0o644);
    await recordHostKey(file, 'web1', 22, ed.blob);
    expect((await stat(file)).mode & 0o777).toBe(0o644);
  });

  test('of two concurrent first connections offering different keys, one is recorded and the other refused', async () => {
    const file = join(dir.path, 'known_hosts');
    const [real, other] = [generateHostKey('ed25519'), generateHostKey('ed25519')];
    const results = await Promise.allSettled([
      recordHostKey(file, '10.0.0.5', 22, real.blob),
      recordHostKey(file, '10.0.0.5', 22, other.blob),
    ]);
    // Either may win (each reads the file before it queues for the lock): exactly one does.
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const winner = results[0]!.status === 'fulfilled' ? real : other;
    const loser = winner === real ? other : real;
    const refused = (results.find((result) => result.status === 'rejected') as PromiseRejectedResult).reason;
    expect(isHostKeyError(refused) && refused.code).toBe('changed');
    const { value } = await loadKnownHosts(file);
    expect(checkHostKey(value, '10.0.0.5', 22, winner.blob).status).toBe('trusted');
    expect(checkHostKey(value, '10.0.0.5', 22, loser.blob).status).toBe('changed');
    expect((await readFile(file, 'utf8')).split('\n')).toHaveLength(2);
    expect(await readdir(dir.path)).toEqual(['known_hosts']);
  });

  test('waits while another live process holds known_hosts.lock, then records', async () => {
    const file = join(dir.path, 'known_hosts');
    const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      await writeFile(`${file}.lock`, `${holder.pid} ${hostname()} theirs\n`);
      let settled = false;
      const recording = recordHostKey(file, 'web1', 22, ed.blob).finally(() => {
        settled = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(settled).toBe(false);
      expect(existsSync(file)).toBe(false);
      await rm(`${file}.lock`);
      expect((await recording).recorded).toBe(true);
      expect(await readdir(dir.path)).toEqual(['known_hosts']);
    } finally {
      holder.kill();
    }
  });

  test('takes over a lock whose process is gone, or one older than 30 s from another host', async () => {
    const file = join(dir.path, 'known_hosts');
    const gone = spawnSync('true').pid;
    await writeFile(`${file}.lock`, `${gone} ${hostname()} crashed\n`);
    expect((await recordHostKey(file, 'web1', 22, ed.blob)).recorded).toBe(true);
    await writeFile(`${file}.lock`, '1 elsewhere.example crashed\n');
    const old = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, old, old);
    expect((await recordHostKey(file, 'web2', 22, ed.blob)).recorded).toBe(true);
    expect(await readdir(dir.path)).toEqual(['known_hosts']);
  });

  // A takeover race can put back a lock this process already released (another process moved
  // it aside just before it was released): nobody would remove it, and this process's own later
  // calls would fail after waiting 10 s. The timeout lets the old behaviour fail on its error.
  test('takes over at once a lock naming this process with a token it does not hold', { timeout: 20_000 }, async () => {
    const file = join(dir.path, 'known_hosts');
    await writeFile(`${file}.lock`, `${process.pid} ${hostname()} released\n`);
    expect((await recordHostKey(file, 'web1', 22, ed.blob)).recorded).toBe(true);
    expect(await readdir(dir.path)).toEqual(['known_hosts']);
  });

  test('refuses a blob that is not a public key', async () => {
    await expect(recordHostKey(join(dir.path, 'known_hosts'), 'web1', 22, Buffer.from('junk'))).rejects.toThrow(
      /not an SSH public key blob/,
    );
  });
});
