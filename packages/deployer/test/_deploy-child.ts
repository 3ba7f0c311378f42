// A `deploy()` in a child process (bundled by _killed-deploy.ts), killed by itself: it SIGKILLs
// its own process, synchronously inside the event listener, at the first event that matches, so
// the run dies exactly there (as a crash, an OOM kill or a power cut would), before its next step.
// argv: config file, kill spec as JSON ({ type, step?: prefix of the step's name, status? }).
// env: the fleet file's ${NAME} values, FLEET_TEST_IDENTITY, FLEET_TEST_KNOWN_HOSTS.

import { readFileSync } from 'node:fs';
import type { DeployRunEvent } from '@fleet/sdk/deploy';
import { deploy } from '../src/deploy/deploy.ts';

const [config, spec] = process.argv.slice(2) as [string, string];
const kill = JSON.parse(spec) as { type: string; step?: string; status?: string };

/** The step an event is about, and its status, when it is about one. */
function stepOf(event: DeployRunEvent): { step?: string; status?: string } {
  if (event.type === 'step_finished') return { step: event.result.step, status: event.result.status };
  if (event.type === 'step_started') return { step: event.step };
  return {};
}

const matches = (event: DeployRunEvent): boolean => {
  if (event.type !== kill.type) return false;
  const { step, status } = stepOf(event);
  if (kill.step !== undefined && !step?.startsWith(kill.step)) return false;
  return kill.status === undefined || status === kill.status;
};

await deploy({
  configText: readFileSync(config, 'utf8'),
  mode: 'apply',
  ssh: { identity: process.env.FLEET_TEST_IDENTITY!, knownHostsFile: process.env.FLEET_TEST_KNOWN_HOSTS! },
  onEvent: (event) => {
    process.stdout.write(`${JSON.stringify(event)}\n`);
    if (matches(event)) process.kill(process.pid, 'SIGKILL');
  },
});
