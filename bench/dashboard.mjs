// Dashboard benchmark: fleet-dashboard's /api/status under 50 concurrent clients, against a bare
// node:http server answering the same bytes, measured in the same run.
//
//   node bench/dashboard.mjs                 # build first (npm run build); about 2 minutes
//   node bench/dashboard.mjs --json          # machine-readable results
//   BENCH_SECONDS=10 BENCH_ROUNDS=5 BENCH_TARGETS=300 node bench/dashboard.mjs
//
// What it does:
// 1. Targets: BENCH_TARGETS health endpoints answering {"status":"ok"}, one listening port each, on
//    three loopback addresses (127.0.0.1, .2, .3 as three "hosts"), in a child process.
// 2. A generated fleet.yaml describing them (kind custom, the default 30 s interval), and the built
//    fleet-dashboard serving it; the benchmark starts once every target has been probed.
//    Probing goes on during the runs (10 probes/s for 300 targets), and every probe makes the next
//    read after 100 ms rebuild the cached status: the conditions a real dashboard serves in.
// 3. Scenarios, 50 connections each, against a bare node:http server answering the same body bytes
//    (and headers) from memory as the baseline:
//    - GET /api/status: 200s with the full body on both sides.
//    - GET /api/status with If-None-Match, sending the latest ETag received (the first request's to
//      begin with), as polling clients do. The dashboard answers mostly 304s, and a 200 whenever a
//      probe changed the status. The bare server's ETag never changes, so in that share of requests
//      (the dashboard's 200s over its 304s and 200s, taken from the dashboard's run just before, in
//      the same round) the load generator sends it a stale ETag instead, spread evenly: it answers
//      200 with the same body there, and 304 otherwise. Both sides do the same mix of work; the
//      '304 %' column shows each side's share.
//
// The servers are pinned to core 0, the load generator (autocannon) and the targets to core 1.
// After a 1 s warm-up of each, scenarios run in interleaved rounds (bare, dashboard, dashboard with
// If-None-Match, bare with If-None-Match, bare, ...) and each figure is the median over the rounds
// (the mean of the two middle rounds for an even count; max: the worst of all rounds), so a slow spell
// of this shared machine weighs on the baseline and on Fleet alike.
//
// Targets (a missed one exits with 1): p99 of /api/status < 50 ms, with and without If-None-Match.
// The ratios to the bare server are printed for information.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { benchArgs, envNumber } from './_args.mjs';
import { judge } from './_checks.mjs';
import { cleanUpOnExit, stopServer } from './_clean-up.mjs';
import { canPinCores, median, pinSelf, startServer } from './_lib.mjs';

const { json } = benchArgs(import.meta.url, { flags: ['json'] });
const seconds = envNumber('BENCH_SECONDS', 5);
const rounds = envNumber('BENCH_ROUNDS', 3, { integer: true });
const targetCount = envNumber('BENCH_TARGETS', 300, { integer: true });
const connections = 50;
// The first seconds under load include JIT compilation: they would be every scenario's max.
const warmupSeconds = 1;
const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const here = fileURLToPath(new URL('.', import.meta.url));
const dashboardBin = join(here, '../packages/dashboard/bin/fleet-dashboard.js');
const dir = mkdtempSync(join(tmpdir(), 'fleet-dashboard-bench-'));
const log = (line) => {
  if (!json) console.error(line);
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const canPin = canPinCores();
if (canPin) pinSelf(1);
else log('! taskset or a second core is missing: servers and load generator share cores');

/** Servers under test run on core 0; this process (the load generator) and the targets on core 1. */
const start = (args, core = 0) => startServer(args, canPin ? { core } : {});

// One server per target, as every target of a host needs a port of its own; the ports are
// written to a file (argv[2]) before the URL line startServer waits for.
const targetsScript = `
  import { writeFileSync } from 'node:fs';
  import { createServer } from 'node:http';
  const [file, count, ...addresses] = process.argv.slice(1);
  const body = JSON.stringify({ status: 'ok' });
  const servers = Array.from({ length: Number(count) }, (_, i) => {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    server.listen(0, addresses[i % addresses.length]);
    return server;
  });
  await Promise.all(servers.map((s) => new Promise((r) => (s.listening ? r() : s.once('listening', r)))));
  writeFileSync(file, JSON.stringify(servers.map((s) => s.address())));
  console.log('target servers listening on http://' + addresses[0] + ':' + servers[0].address().port);
  process.on('SIGTERM', () => process.exit(0));`;

// The baseline: the body (file argv[2]) and ETag (argv[3]) from memory, headers as the dashboard sends;
// 304 for that ETag, 200 with the body for any other.
const bareScript = `
  import { readFileSync } from 'node:fs';
  import { createServer } from 'node:http';
  const [file, etag] = process.argv.slice(1);
  const body = readFileSync(file);
  const server = createServer((req, res) => {
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag, 'cache-control': 'no-cache' });
      return res.end();
    }
    res.writeHead(200, { etag, 'cache-control': 'no-cache', 'content-type': 'application/json; charset=utf-8' });
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => {
    console.log('bare server listening on http://127.0.0.1:' + server.address().port);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));`;

/** A fleet file with one `custom` service per target, on hosts named after their addresses' order. */
function fleetYaml(addresses) {
  const hostLines = hosts.flatMap((address, i) => [`  h${i}:`, `    address: ${address}`]);
  const serviceLines = addresses.flatMap(({ address, port }, i) => [
    `  svc-${i}:`,
    '    kind: custom',
    `    host: h${hosts.indexOf(address)}`,
    `    port: ${port}`,
    '    health:',
    `      path: /svc-${i}/health`,
    "      conditions: ['[STATUS] == 200', '[BODY].status == ok']",
  ]);
  return ['version: 1', 'name: bench', 'hosts:', ...hostLines, 'services:', ...serviceLines, ''].join('\n');
}

/** Polls /api/status until every target has a state (the first probes spread over their 30 s interval). */
async function untilAllProbed(url, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  let counts = {};
  while (Date.now() < deadline) {
    const response = await fetch(`${url}/api/status`);
    ({ counts } = await response.json());
    const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
    if (total === targetCount && counts.unknown === 0) return counts;
    await sleep(500);
  }
  throw new Error(`targets still unprobed after ${timeoutMs / 1000}s: ${JSON.stringify(counts)}`);
}

function run(options, duration = seconds) {
  return new Promise((resolve, reject) => {
    const instance = autocannon({ connections, duration, ...options }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
    autocannon.track(instance, { renderProgressBar: false, renderResultsTable: false, renderLatencyTable: false });
  });
}

function summary(result) {
  const failed = result.errors + result['4xx'] + result['5xx'];
  if (failed > result.requests.total * 0.01) throw new Error(`${failed} failed requests`);
  return {
    requestsPerSecond: result.requests.average,
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    maxMs: result.latency.max,
    notModifiedShare: result['3xx'] / Math.max(1, result['2xx'] + result['3xx']),
    megabytesPerSecond: result.throughput.average / 1024 / 1024,
  };
}

/** GET /api/status, unconditional. */
const plain = (url) => (duration) => run({ url: `${url}/api/status` }, duration).then(summary);

/** An ETag no server sent: the answer to it is a 200 with the full body. */
const staleEtag = '"bench-stale"';

/**
 * GET /api/status with If-None-Match: the latest ETag any connection received (the first request's
 * to begin with), as polling clients each send the one they last got. (autocannon resets a
 * connection's context after every pass over its request list, so the ETag is kept here.)
 * In the share `fullShare()` of the requests, spread evenly, `staleEtag` is sent instead.
 */
const conditional =
  (url, firstEtag, fullShare = () => 0) =>
  (duration) => {
    let latest = firstEtag;
    const share = fullShare();
    let credit = 0;
    const ifNoneMatch = () => {
      credit += share;
      if (credit < 1) return latest;
      credit -= 1;
      return staleEtag;
    };
    return run(
      {
        url,
        requests: [
          {
            method: 'GET',
            path: '/api/status',
            setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'if-none-match': ifNoneMatch() } }),
            onResponse: (_status, _body, _context, headers) => {
              latest = headers.etag ?? headers.ETag ?? latest;
            },
          },
        ],
      },
      duration,
    ).then(summary);
  };

/**
 * Each figure's median over the rounds, figure by figure (the mean of the two middle rounds for an
 * even count); `maxMs` is the worst of all rounds.
 */
function medians(runs) {
  const mid = (key) => median(runs.map((r) => r[key]));
  return {
    requestsPerSecond: mid('requestsPerSecond'),
    p50ms: mid('p50ms'),
    p99ms: mid('p99ms'),
    maxMs: Math.max(...runs.map((r) => r.maxMs)),
    notModifiedShare: mid('notModifiedShare'),
    megabytesPerSecond: mid('megabytesPerSecond'),
    runs: runs.map((r) => `${Math.round(r.requestsPerSecond)}/${r.p99ms}`),
  };
}

/**
 * Runs every scenario `rounds` times, interleaved (bare, then the dashboard, then bare again...), so
 * that a slow spell of this shared machine hits the baseline and Fleet alike; reports each median.
 */
async function interleaved(scenarios) {
  const runs = Object.fromEntries(Object.keys(scenarios).map((name) => [name, []]));
  log(`warming up: ${warmupSeconds}s of each scenario, not counted`);
  for (const scenario of Object.values(scenarios)) await scenario(warmupSeconds);
  for (let round = 1; round <= rounds; round++) {
    log(`round ${round}/${rounds}: ${Object.keys(scenarios).join(', ')}`);
    for (const [name, scenario] of Object.entries(scenarios)) runs[name].push(await scenario(seconds));
  }
  return Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, medians(list)]));
}

const servers = [];
/** Stops every child and removes the temp dir, once (the normal end, an error, or Ctrl-C). */
const cleanUp = cleanUpOnExit(async () => {
  try {
    await Promise.all(servers.map(stopServer));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const results = {};
let statusBytes;
let counts;
try {
  if (!existsSync(join(here, '../packages/dashboard/dist/cli.js'))) {
    throw new Error('packages/dashboard/dist is missing: run npm run build -w @fleet/dashboard');
  }
  log(`${targetCount} targets on ${hosts.length} loopback hosts; ${rounds} interleaved rounds of ${seconds}s`);
  const portsFile = join(dir, 'ports.json');
  servers.push(await start(['--input-type=module', '-e', targetsScript, portsFile, String(targetCount), ...hosts], 1));
  const config = join(dir, 'fleet.yaml');
  writeFileSync(config, fleetYaml(JSON.parse(readFileSync(portsFile, 'utf8'))));

  const dashboard = await start([
    dashboardBin,
    'server',
    '--config',
    config,
    '--port',
    '0',
    '--db',
    join(dir, 'dashboard.db'),
  ]);
  servers.push(dashboard);
  log('waiting until every target has been probed once (up to one 30 s interval)');
  counts = await untilAllProbed(dashboard.url);

  const first = await fetch(`${dashboard.url}/api/status`);
  const etag = first.headers.get('etag');
  const body = Buffer.from(await first.arrayBuffer());
  if (!etag) throw new Error('/api/status sent no ETag');
  statusBytes = body.length;
  const bodyFile = join(dir, 'status.json');
  writeFileSync(bodyFile, body);
  const bare = await start(['--input-type=module', '-e', bareScript, bodyFile, etag]);
  servers.push(bare);

  // The share of 200s in the dashboard's latest If-None-Match run: the bare server's run after it
  // answers 200 to the same share.
  let dashboardFullShare = 0;
  const status304 = conditional(dashboard.url, etag);
  Object.assign(
    results,
    await interleaved({
      bare: plain(bare.url),
      status: plain(dashboard.url),
      status304: async (duration) => {
        const result = await status304(duration);
        dashboardFullShare = 1 - result.notModifiedShare;
        return result;
      },
      bare304: conditional(bare.url, etag, () => dashboardFullShare),
    }),
  );
} finally {
  await cleanUp();
}

const ratio = (a, b) => Math.round((a / b) * 100) / 100;
const checks = judge(
  [
    ['p99 /api/status under 50 concurrent clients (ms)', results.status.p99ms, '<', 50],
    ['p99 /api/status with If-None-Match (ms)', results.status304.p99ms, '<', 50],
    ['/api/status req/s / bare (same bytes)', ratio(results.status.requestsPerSecond, results.bare.requestsPerSecond)],
    [
      '/api/status If-None-Match req/s / bare (same 304/200 mix)',
      ratio(results.status304.requestsPerSecond, results.bare304.requestsPerSecond),
    ],
    ['/api/status p99 / bare p99', ratio(results.status.p99ms, results.bare.p99ms)],
  ],
  { quiet: json },
);

if (json) {
  console.log(
    JSON.stringify(
      { seconds, rounds, connections, targets: targetCount, pinned: canPin, statusBytes, counts, results, checks },
      null,
      2,
    ),
  );
} else {
  log(`/api/status body: ${statusBytes.toLocaleString('en')} bytes; states: ${JSON.stringify(counts)}`);
  console.table(
    Object.entries(results).map(([name, r]) => ({
      scenario: name,
      'req/s': Math.round(r.requestsPerSecond),
      'p50 ms': r.p50ms,
      'p99 ms': r.p99ms,
      'max ms': r.maxMs,
      '304 %': Math.round(r.notModifiedShare * 1000) / 10,
      'MB/s': Math.round(r.megabytesPerSecond),
      'runs (req/s / p99)': r.runs.join(' '),
    })),
  );
  console.table(checks);
}
