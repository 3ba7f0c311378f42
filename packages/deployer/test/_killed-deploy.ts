import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeployRunEvent } from '@fleet/sdk/deploy';
import { bundleScript, removeScriptBundles } from '@fleet/test-utils/bundle-script';
import { afterAll } from 'vitest';
import { tempDir } from './_fixtures.ts';

/** The event a {@link killedDeploy} dies at: its type, and for a step's event a prefix of its name and its status. */
export interface KillAt {
  type: 'step_started' | 'step_finished';
  step: string;
  status?: 'ok' | 'changed' | 'failed' | 'skipped';
}

afterAll(removeScriptBundles);

/**
 * Runs an apply `deploy()` of `fleetText` in a child process that SIGKILLs itself at the first
 * event matching `at` (inside the run's own event listener, so nothing after it runs), and resolves
 * with the events it printed. Rejects when the run ended without meeting the event. The lock it held
 * stays behind, as a killed run leaves it.
 */
export async function killedDeploy(
  fleetText: string,
  env: Readonly<Record<string, string>>,
  ssh: { identity: string; knownHostsFile: string },
  at: KillAt,
): Promise<DeployRunEvent[]> {
  const script = await bundleScript(new URL('./_deploy-child.ts', import.meta.url));
  const config = join(tempDir('killed-deploy'), 'fleet.yaml');
  writeFileSync(config, fleetText);
  const child = spawn(process.execPath, [script, config, JSON.stringify(at)], {
    env: { ...process.env, ...env, FLEET_TEST_IDENTITY: ssh.identity, FLEET_TEST_KNOWN_HOSTS: ssh.knownHostsFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once('close', (_, sig) => resolve(sig)));
  if (signal !== 'SIGKILL') throw new Error(`the deploy was not killed at ${JSON.stringify(at)}:\n${out}\n${err}`);
  return out
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as DeployRunEvent);
}
