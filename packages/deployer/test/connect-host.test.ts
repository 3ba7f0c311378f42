import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseFleet } from '@fleet/sdk/fleet';
import { closedPort } from '@fleet/test-utils/closed-port';
import { afterEach, expect, test } from 'vitest';
import { sshConnector } from '../src/deploy/connect-host.ts';

// Which key file the deployer logs in with: the identity is read before connecting, so a missing
// one names the path it was looked for at.

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function identityTried(sshBlock: string, settings: Parameters<typeof sshConnector>[0]): Promise<string> {
  const port = await closedPort();
  const text = `version: 1\nhosts:\n  vps1: { address: 127.0.0.1, ssh: { port: ${port}${sshBlock} } }\n`;
  const { value: fleet, errors } = parseFleet(text);
  expect(errors).toEqual([]);
  const executor = sshConnector(settings)('vps1', fleet!);
  try {
    const failure = await executor.run('true').then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    return failure?.message ?? '';
  } finally {
    await executor.close();
  }
}

test("a relative --identity is the current directory's file; a relative ssh.identity the fleet file directory's", async () => {
  dir = mkdtempSync(join(tmpdir(), 'fleet-connect-'));
  const key = `no-such-key-${process.pid}`;
  expect(await identityTried('', { identity: key, baseDir: dir })).toContain(resolve(process.cwd(), key));
  expect(await identityTried(`, identity: ${key}`, { baseDir: dir })).toContain(join(dir, key));
});
