import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasTestHostDeps, startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SshExecutor } from '../../src/deploy/ssh-executor.ts';
import { tempHost } from './_host.ts';

/** Every byte value, then bytes that are no UTF-8, then a long run: 1 MiB in all, more than one SFTP write. */
function bytes(): Uint8Array {
  const data = new Uint8Array(1 << 20);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 8)) & 0xff;
  data.set([0xff, 0xfe, 0xc3, 0x28, 0x00], 256);
  return data;
}

describe('Executor.writeFile with bytes', () => {
  test('LocalExecutor writes a Uint8Array as it is, not as text', async () => {
    const host = tempHost();
    const data = bytes();
    await host.writeFile('/blob.bin', data, { mode: 0o600 });
    expect(readFileSync(host.hostPath('/blob.bin')).equals(data)).toBe(true);
  });

  test('a view into a larger buffer writes only its own bytes', async () => {
    const host = tempHost();
    const view = bytes().subarray(1000, 3000);
    await host.writeFile('/view.bin', view);
    expect(readFileSync(host.hostPath('/view.bin')).equals(view)).toBe(true);
  });
});

describe.skipIf(!hasTestHostDeps())('SshExecutor.writeFile with bytes, on a real test host', () => {
  let hosts: TestHosts;
  let host: TestHost;
  let executor: SshExecutor;

  beforeAll(async () => {
    hosts = await startTestHosts(1);
    host = hosts.hosts[0] as TestHost;
    executor = new SshExecutor({
      address: host.address,
      username: host.username,
      identity: host.clientKey.privateKeyPath,
      knownHostsFile: hosts.knownHostsPath,
    });
  });
  afterAll(async () => {
    await executor?.close();
    await hosts?.close();
  });

  test('uploads a Uint8Array (and a view into a larger buffer) byte for byte', async () => {
    const local = mkdtempSync(join(host.dirs.optFleet, 'bytes-'));
    const remote = `/opt/fleet/${local.slice(host.dirs.optFleet.length + 1)}`;
    const data = bytes();
    await executor.writeFile(`${remote}/blob.bin`, data);
    expect(readFileSync(join(local, 'blob.bin')).equals(data)).toBe(true);
    const view = data.subarray(1000, 3000);
    await executor.writeFile(`${remote}/view.bin`, view);
    expect(readFileSync(join(local, 'view.bin')).equals(view)).toBe(true);
  });
});
