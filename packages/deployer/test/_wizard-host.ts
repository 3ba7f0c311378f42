import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestHosts, type TestHost, type TestHosts } from '@fleet/test-utils/test-hosts';
import { afterAll, beforeAll } from 'vitest';
import { tempDir } from './_fixtures.ts';

/**
 * A wizard of the operator's own (`exec: [node, wizard.mjs, name, health?]`): answers GET /health with
 * its name, or 503 when its second argument is `unhealthy`.
 */
const WIZARD = `import { createServer } from 'node:http';
const [name, health] = process.argv.slice(2);
createServer((request, response) => {
  response.writeHead(health === 'unhealthy' ? 503 : 200, { 'content-type': 'text/plain' });
  response.end(name);
}).listen(Number(process.env.PORT), process.env.HOST);
`;

/** What {@link useWizardHost} sets up; read its fields inside tests (they are set in `beforeAll`). */
export interface WizardHost {
  run: TestHosts;
  h1: TestHost;
  /** The wizard script, readable by the service user the units run as. */
  script: string;
  /** The SSH options a deploy to the test host needs. */
  ssh(): { identity: string; knownHostsFile: string };
}

/**
 * One test host and the wizard script, made before the file's tests and removed after them, with the
 * `fleet` service user a deploy makes (the test host shares this machine's /etc/passwd) unless it
 * was here before. Call it inside a `describe.skipIf(!hasTestHostDeps())`.
 */
export function useWizardHost(): WizardHost {
  const hadUser = spawnSync('getent', ['passwd', 'fleet']).status === 0;
  const setup = {
    ssh: () => ({ identity: setup.run.clientKey.privateKeyPath, knownHostsFile: setup.run.knownHostsPath }),
  } as WizardHost;
  beforeAll(async () => {
    setup.run = await startTestHosts(1);
    setup.h1 = setup.run.hosts[0]!;
    const dir = tempDir('wizard');
    chmodSync(dir, 0o755);
    setup.script = join(dir, 'wizard.mjs');
    writeFileSync(setup.script, WIZARD, { mode: 0o644 });
  }, 120_000);
  afterAll(async () => {
    await setup.run?.close();
    if (!hadUser) {
      spawnSync('userdel', ['fleet']);
      spawnSync('groupdel', ['fleet']);
    }
  });
  return setup;
}

/** Whether the unit starts at boot: a WantedBy= link (which points into the host's own /etc, not this machine's). */
export function enabled(host: TestHost, unit: string): boolean {
  return readdirSync(host.dirs.systemdSystem)
    .filter((entry) => entry.endsWith('.wants'))
    .some((entry) => readdirSync(join(host.dirs.systemdSystem, entry)).includes(unit));
}

/** What answers GET /health on the port: the status and the wizard's name, or `no answer`. */
export async function health(host: TestHost, port: number): Promise<string> {
  try {
    const response = await fetch(`http://${host.address}:${port}/health`, { signal: AbortSignal.timeout(2000) });
    return `${response.status} ${await response.text()}`;
  } catch {
    return 'no answer';
  }
}
