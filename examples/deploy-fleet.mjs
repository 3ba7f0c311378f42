// Deploying a fleet file from a script with @fleet/deployer: the same deploy `fleet deploy run`
// does, as a function. Plan mode by default (every check, nothing changed anywhere); --apply deploys.
//
//   node examples/deploy-fleet.mjs fleet.yaml                 # what would change on each host
//   node examples/deploy-fleet.mjs fleet.yaml --apply         # deploy, health-gated, under the lock
//   node examples/deploy-fleet.mjs fleet.yaml --known-hosts ./known_hosts --identity ./id_ed25519
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { deploy } from '@fleet/deployer';

const usage = 'usage: node examples/deploy-fleet.mjs [fleet.yaml] [--apply] [--known-hosts FILE] [--identity FILE]';
let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      apply: { type: 'boolean', default: false },
      'known-hosts': { type: 'string' },
      identity: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
} catch (error) {
  // A bad command line: one line and exit 2, as Fleet's own commands do.
  console.error(`${error.message} (see --help)`);
  process.exit(2);
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(usage);
  process.exit(0);
}

// Ctrl-C or SIGTERM stops the run between steps, in plan mode and while connecting too; an apply
// run holds its lock until it has stopped (handlers and rollbacks done) and releases it.
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => stop.abort());

const config = positionals[0] ?? 'fleet.yaml';
let configText;
try {
  configText = readFileSync(config, 'utf8');
} catch (error) {
  console.error(
    error.code === 'ENOENT'
      ? `no fleet file at ${config} (give its path as the first argument; see --help)`
      : `cannot read ${config}: ${error.message}`,
  );
  process.exit(1);
}

let result;
try {
  result = await deploy({
    config,
    configText,
    mode: values.apply ? 'apply' : 'plan',
    signal: stop.signal,
    ssh: {
      ...(values['known-hosts'] ? { knownHostsFile: values['known-hosts'] } : {}),
      ...(values.identity ? { identity: values.identity } : {}),
    },
    // Events arrive as the deploy goes; secrets in them are already `***`.
    onEvent: (event) => {
      if (event.type === 'host_finished') {
        const { host, status, counts } = event.result;
        console.log(`${host}: ${status}, ${counts.changed} to change, ${counts.failed} failed`);
      }
    },
  });
} catch (error) {
  if (stop.signal.aborted) {
    console.error('deploy stopped before it started');
    process.exit(1);
  }
  // Nothing ran: an invalid fleet file or an unknown host (DeployUsageError, with its problems),
  // another run holding the lock (DeployLockError), a lock host that cannot be reached.
  console.error(error.message);
  for (const problem of error.problems ?? []) console.error(problem);
  process.exit(1);
}

const { run, failure, rolledBack } = result;
console.log(`run ${run.id}: ${run.status}`);
if (run.status === 'failed') {
  console.error(`failed on ${failure?.host} at ${failure?.phase} / ${failure?.step}: ${failure?.error}`);
  if (rolledBack.length > 0) console.error(`rolled back: ${rolledBack.join(', ')}`);
  process.exitCode = 1;
} else if (run.status === 'aborted') {
  // Ctrl-C or SIGTERM stopped it between steps (the lock was released): not a finished deploy.
  console.error('deploy stopped before it finished');
  process.exitCode = 1;
}
