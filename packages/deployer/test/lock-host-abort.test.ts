import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SilentHost, startSilentHost } from '@fleet/test-utils/silent-host';
import { afterEach, expect, test } from 'vitest';
import { fleetDeployHistory } from '../src/deploy/lock-host.ts';

// The deploy hook reads the history from the lock host at every GET /deploys, with the request's
// signal: a request that ends first must not leave an SSH attempt or session behind.

let host: SilentHost | undefined;
let dir: string | undefined;
afterEach(async () => {
  await host?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a history read from a lock host that never answers ends when its signal aborts, and the connection closes', async () => {
  host = await startSilentHost();
  dir = mkdtempSync(join(tmpdir(), 'fleet-lock-abort-'));
  const identity = join(dir, 'id_rsa');
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  writeFileSync(identity, privateKey, { mode: 0o600 });
  const configText = [
    'version: 1',
    'name: abort-test',
    'hosts:',
    `  lock: { address: 127.0.0.1, ssh: { port: ${host.port} } }`,
    '',
  ].join('\n');
  const history = fleetDeployHistory({
    configText,
    env: {},
    ssh: { identity, knownHostsFile: join(dir, 'known_hosts') },
  });
  const controller = new AbortController();

  const reading = history(3, controller.signal);
  await host.connected;
  controller.abort(new Error('the client went away'));

  await expect(reading).rejects.toThrow('the client went away');
  await host.closed;
});
