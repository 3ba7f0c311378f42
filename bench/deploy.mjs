// Deploy benchmark: Fleet's deploy runner against Ansible (Debian's `ansible`), same site, same three
// test hosts, same SSH, in the same run.
//
//   npm run bench:deploy                     # after npm run build; 10-15 minutes on 2 cores
//   node bench/deploy.mjs --json             # machine-readable results
//   node bench/deploy.mjs --skip-ansible     # Fleet alone (no baseline, no ratio)
//   BENCH_RUNS=5 node bench/deploy.mjs
//
// Needs root and the test hosts' Debian packages (openssh-server, iproute2, util-linux), and
// `apt-get install --no-install-recommends ansible` for the baseline.
//
// The site (bench/_deploy-site.mjs), per host: 4 directories, 8 literal files, 8 config templates and
// 4 systemd unit templates with per-host variables, owners, groups and modes. Each tool deploys its own
// copy of the tree (paths `bench-<tool>`), so every first deploy starts from nothing; afterwards every
// tree is checked against the spec (content, type, owner, group, mode) on every host.
//
// - Fleet: one `node bench/_deploy-fleet-run.mjs` process per deploy (as `ansible-playbook` is one
//   process): the built `@fleet/sdk/deploy`, a one-phase plan of directoryStep and fileStep, one
//   SshExecutor per host, the three hosts in parallel. Units are plain template files (no
//   systemctl: the test hosts have no systemd), on the Ansible side too.
// - Ansible (bench/_deploy-ansible.mjs): one play, gather_facts off, loops of `file`, `copy`
//   (content:) and `template` with a path label, forks 5 (the default), interpreter_python set (skips
//   discovery), host keys from the test hosts' known_hosts with StrictHostKeyChecking=yes. Two
//   configurations: Debian's defaults (pipelining off; ssh_args `-C -o ControlMaster=auto -o
//   ControlPersist=60s`, so a run reuses a connection that one less than 60 s before left open), and
//   the same with pipelining on.
//
// Every tool deploys once on fresh hosts (its first deploy), then the no-op re-deploys run in
// interleaved rounds (fleet, ansible, ansible with pipelining, fleet, ...), each figure the median,
// so a slow spell of this shared machine weighs on all alike. A no-op that changes anything fails the
// bench (Fleet's result counts, Ansible's PLAY RECAP). SSH use per host comes from each host's sshd
// log (LogLevel VERBOSE: one "Accepted publickey" per connection, one "Starting session" per exec or
// sftp channel) for both tools, and for Fleet also from SshExecutor.stats (every request a round trip).
//
// Target (a missed one exits with 1): each Ansible configuration's no-op takes at least 5x Fleet's.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchArgs, envNumber } from './_args.mjs';
import { judge } from './_checks.mjs';
import { cleanUpOnExit } from './_clean-up.mjs';
import {
  ansiblePlaybookVersion,
  checkRecap,
  closeControlMasters,
  playbookCommand,
  writeAnsibleProject,
} from './_deploy-ansible.mjs';
import { siteItems, verifyTree } from './_deploy-site.mjs';
import { median } from './_lib.mjs';

const { json, 'skip-ansible': skipAnsible } = benchArgs(import.meta.url, { flags: ['json', 'skip-ansible'] });
const runs = envNumber('BENCH_RUNS', 5, { integer: true });
const HOSTS = 3;
const TARGET_RATIO = 5;
const here = fileURLToPath(new URL('.', import.meta.url));
const log = (line) => {
  if (!json) console.error(line);
};
const round = (n, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

if (!existsSync(join(here, '../packages/sdk/dist/deploy.js'))) {
  console.error('packages/sdk/dist/deploy.js is missing: build the SDK first (npm run build)');
  process.exit(1);
}
const ansibleVersion = skipAnsible ? undefined : ansiblePlaybookVersion();
if (!skipAnsible && ansibleVersion === undefined) {
  console.error(
    "ansible-playbook is missing: the baseline needs Debian's ansible (apt-get install -y --no-install-recommends ansible), or run with --skip-ansible for Fleet alone",
  );
  process.exit(1);
}

/**
 * `@fleet/test-utils/test-hosts` bundled with esbuild into `dir`: Node 20 runs no .ts, and the
 * test utilities are never built.
 */
async function loadTestHosts(dir) {
  const { build } = await import('esbuild');
  const outfile = join(dir, 'test-hosts.mjs');
  await build({
    entryPoints: [join(here, '../packages/test-utils/src/test-hosts.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
  });
  return import(pathToFileURL(outfile).href);
}

/** Runs `command`; resolves with its wall time, exit code and output. */
function timed(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ ms: performance.now() - started, code, stdout, stderr }));
  });
}

/** What each host's sshd logged during `fn()`: connections and sessions (exec and sftp channels). */
async function withSshdCounts(hosts, fn) {
  const before = hosts.map((host) => readFileSync(host.sshdLog).length);
  const result = await fn();
  const counts = hosts.map((host, i) => {
    const added = readFileSync(host.sshdLog).subarray(before[i]).toString('utf8');
    return {
      connections: added.match(/Accepted publickey/g)?.length ?? 0,
      sessions: added.match(/Starting session:/g)?.length ?? 0,
    };
  });
  return { ...result, sshd: counts };
}

function failWith(what, output) {
  throw new Error(`${what}\n${output.slice(-4000)}`);
}

/** One Fleet deploy in its own process; checks every host ended with `changed` steps as expected. */
async function fleetDeploy(run, expectChanged) {
  const config = {
    identity: run.clientKey.privateKeyPath,
    knownHostsFile: run.knownHostsPath,
    hosts: run.hosts.map((host, index) => ({ name: `node-${index}`, address: host.address, index })),
  };
  return withSshdCounts(run.hosts, async () => {
    const result = await timed(process.execPath, [join(here, '_deploy-fleet-run.mjs'), JSON.stringify(config)]);
    if (result.code !== 0) failWith(`the Fleet deploy exited with ${result.code}`, result.stderr + result.stdout);
    const report = JSON.parse(result.stdout);
    for (const host of report.hosts) {
      if (host.counts.failed > 0 || host.counts.changed !== expectChanged) {
        failWith(
          `Fleet on ${host.host}: ${host.counts.changed} changed, ${host.counts.failed} failed (expected ${expectChanged} changed)`,
          host.failures.join('\n'),
        );
      }
    }
    const perHost = (key) => report.hosts.map((host) => host.stats[key]);
    return {
      ms: result.ms,
      inProcessMs: report.ms,
      stats: { connections: perHost('connections'), execs: perHost('execs'), sftpRequests: perHost('sftpRequests') },
    };
  });
}

/** One `ansible-playbook` run; checks the PLAY RECAP of every host (4 tasks: all changed, or none). */
async function ansibleDeploy(run, project, expectChanged) {
  return withSshdCounts(run.hosts, async () => {
    const { command, args, options } = playbookCommand(project);
    const result = await timed(command, args, options);
    if (result.code !== 0) failWith(`ansible-playbook exited with ${result.code}`, result.stdout + result.stderr);
    checkRecap(result.stdout, run.hosts.length, expectChanged);
    return { ms: result.ms };
  });
}

const dir = mkdtempSync(join(tmpdir(), 'fleet-deploy-bench-'));
// The machine's 1-minute load average at the start and the end: a shared machine's load moves the figures.
const load = [round(loadavg()[0], 1)];
const projects = [];
let testHosts;
const tools = {};
// Ctrl-C or SIGTERM skips the `finally` below: the test hosts (namespaces, sshd) and the temp dir go then too.
const cleanUp = cleanUpOnExit(async () => {
  for (const project of projects) closeControlMasters(project.controlDir);
  await testHosts?.close();
  rmSync(dir, { recursive: true, force: true });
});
try {
  const { hasTestHostDeps, startTestHosts } = await loadTestHosts(dir);
  if (!hasTestHostDeps()) {
    console.error('the deploy benchmark needs test hosts: root, openssh-server, iproute2 and util-linux (see above)');
    process.exitCode = 1;
  } else {
    const { renderTemplate } = await import('@fleet/sdk/deploy');
    log(`starting ${HOSTS} test hosts`);
    testHosts = await startTestHosts(HOSTS);
    const run = testHosts;
    const deployers = { fleet: (expect) => fleetDeploy(run, expect) };
    if (!skipAnsible) {
      for (const [tool, pipelining] of [
        ['ansible', false],
        ['ansible-pipelining', true],
      ]) {
        const project = writeAnsibleProject(join(dir, tool), tool, run, pipelining);
        projects.push(project);
        deployers[tool] = (expect) => ansibleDeploy(run, project, expect);
      }
    }
    const expectFirst = { fleet: siteItems('fleet').length, ansible: 4, 'ansible-pipelining': 4 };
    for (const [tool, deploy] of Object.entries(deployers)) {
      const first = await deploy(expectFirst[tool]);
      verifyTree(run, tool, renderTemplate);
      tools[tool] = { first, noop: [] };
      log(`first deploy, ${tool}: ${round(first.ms / 1000)} s (tree verified on ${HOSTS} hosts)`);
    }
    for (let i = 1; i <= runs; i++) {
      const line = [];
      for (const [tool, deploy] of Object.entries(deployers)) {
        const noop = await deploy(0);
        tools[tool].noop.push(noop);
        line.push(`${tool} ${round(noop.ms / 1000)} s`);
      }
      log(`no-op round ${i}/${runs}: ${line.join(', ')}`);
    }
    for (const tool of Object.keys(deployers)) verifyTree(run, tool, renderTemplate);
    load.push(round(loadavg()[0], 1));
  }
} finally {
  await cleanUp();
}

if (process.exitCode === undefined) report();

/** The per-host average of a per-host list. */
function perHost(values) {
  return round(values.reduce((a, b) => a + b, 0) / values.length, 1);
}

function summary(tool, { first, noop }) {
  // The no-op whose wall time is the median (the lower middle one for an even count) gives the SSH figures.
  const sorted = [...noop].sort((a, b) => a.ms - b.ms);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)];
  const ssh = (r) => ({
    connections: perHost(r.sshd.map((c) => c.connections)),
    sessions: perHost(r.sshd.map((c) => c.sessions)),
    ...(r.stats
      ? {
          requests: perHost(r.stats.connections.map((c, i) => c + r.stats.execs[i] + r.stats.sftpRequests[i])),
          execs: perHost(r.stats.execs),
          sftpRequests: perHost(r.stats.sftpRequests),
        }
      : {}),
  });
  return {
    tool,
    firstSeconds: round(first.ms / 1000),
    noopMedianSeconds: round(median(noop.map((r) => r.ms)) / 1000),
    noopSeconds: noop.map((r) => round(r.ms / 1000)),
    ...(first.inProcessMs === undefined
      ? {}
      : { noopInProcessMedianSeconds: round(median(noop.map((r) => r.inProcessMs)) / 1000) }),
    firstSsh: ssh(first),
    noopSsh: ssh(mid),
  };
}

function report() {
  const results = Object.entries(tools).map(([tool, r]) => summary(tool, r));
  const fleet = results[0];
  const baselines = results.slice(1);
  const checks = judge(
    baselines.map((r) => [
      `${r.tool} / fleet, no-op wall time`,
      r.noopMedianSeconds / fleet.noopMedianSeconds,
      '>=',
      TARGET_RATIO,
    ]),
    { quiet: json },
  );
  const ratios = baselines.map((r, i) => ({
    baseline: r.tool,
    noopRatio: round(r.noopMedianSeconds / fleet.noopMedianSeconds, 1),
    firstRatio: round(r.firstSeconds / fleet.firstSeconds, 1),
    target: TARGET_RATIO,
    met: checks[i].result === 'ok',
  }));
  const setup = {
    hosts: HOSTS,
    itemsPerHost: siteItems('fleet').length,
    runs,
    cores: availableParallelism(),
    node: process.version,
    ansible: ansibleVersion ?? null,
    loadAverage: load,
  };
  if (json) {
    console.log(JSON.stringify({ ...setup, results, ratios }, null, 2));
    return;
  }
  const sshCell = (s) =>
    `${s.connections} conn, ${s.sessions} sessions${s.requests === undefined ? '' : `, ${s.requests} requests`}`;
  console.table(
    results.map((r) => ({
      tool: r.tool,
      'first deploy s': r.firstSeconds,
      'no-op median s': r.noopMedianSeconds,
      'no-op runs s': r.noopSeconds.join(' '),
      'first: SSH per host': sshCell(r.firstSsh),
      'no-op: SSH per host': sshCell(r.noopSsh),
    })),
  );
  console.log(
    `${setup.cores} cores, load average ${load.join(' -> ')}, node ${setup.node}, ansible-core ${setup.ansible ?? '-'}`,
  );
  if (fleet.noopInProcessMedianSeconds !== undefined) {
    console.log(`fleet no-op inside its process (after node start and import): ${fleet.noopInProcessMedianSeconds} s`);
  }
  if (ratios.length > 0) {
    console.table(
      ratios.map((r) => ({
        ratio: `${r.baseline} / fleet, no-op wall time`,
        value: r.noopRatio,
        target: `≥ ${r.target}`,
        result: r.met ? 'ok' : 'BELOW TARGET',
        'first deploy ratio': r.firstRatio,
      })),
    );
  }
}
