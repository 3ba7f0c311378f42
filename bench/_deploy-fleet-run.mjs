// One Fleet deploy of the benchmark site, as its own process (what `ansible-playbook` is on the other
// side): the built `@fleet/sdk/deploy`, one SshExecutor per host, the hosts in parallel. Config comes
// as JSON in argv[2]: { identity, knownHostsFile, hosts: [{ name, address, index }] }. Prints one JSON
// line: each host's result counts and executor stats, and the time from the import to the last close.
import { directoryStep, fileStep, runPlan, SshExecutor } from '@fleet/sdk/deploy';
import { hostVars, siteItems } from './_deploy-site.mjs';

const started = performance.now();
const config = JSON.parse(process.argv[2]);

function sitePlan(index) {
  const vars = hostVars(index);
  const steps = siteItems('fleet').map(({ key: _key, kind, ...item }) =>
    kind === 'directory' ? directoryStep(item) : kind === 'file' ? fileStep(item) : fileStep({ ...item, vars }),
  );
  return { phases: [{ name: 'site', steps }] };
}

async function deploy(host) {
  const executor = new SshExecutor({
    address: host.address,
    host: host.name,
    username: 'root',
    identity: config.identity,
    knownHostsFile: config.knownHostsFile,
  });
  try {
    const result = await runPlan(sitePlan(host.index), { executor, mode: 'apply' });
    const failures = result.phases
      .flatMap((phase) => phase.steps)
      .filter((step) => step.status === 'failed')
      .map((step) => `${step.step}: ${step.error ?? step.reason ?? 'failed'}`);
    return { host: host.name, status: result.status, counts: result.counts, stats: { ...executor.stats }, failures };
  } finally {
    await executor.close();
  }
}

const hosts = await Promise.all(config.hosts.map(deploy));
console.log(JSON.stringify({ ms: performance.now() - started, hosts }));
