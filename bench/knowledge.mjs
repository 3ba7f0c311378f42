// Knowledge store benchmark: federation sync between two real servers, and query latency.
//
//   npm run bench:knowledge           # build first (npm run build), about a minute
//   node bench/knowledge.mjs --json   # machine-readable
//   BENCH_FACTS=20000 node bench/knowledge.mjs
//
// Node b pulls from node a directly (timings); node c makes the same syncs through a
// byte-counting TCP proxy, so "bytes on the wire" counts everything both ways: request and
// response headers and bodies.
//
// Targets (a missed one exits with 1): initial sync >= 50,000 facts/s, sync metadata <= 40 bytes per
// fact on disk, an idle sync round < 1 KiB, p99 < 5 ms for prefix, tag and full-text queries.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KnowledgeClient } from '@fleet/sdk';
import Database from 'better-sqlite3';
import { benchArgs, envNumber } from './_args.mjs';
import { judge } from './_checks.mjs';
import { cleanUpOnExit, stopServer } from './_clean-up.mjs';
import { percentile, startServer } from './_lib.mjs';

const { json } = benchArgs(import.meta.url, { flags: ['json'] });
const total = envNumber('BENCH_FACTS', 100_000, { integer: true });
const here = fileURLToPath(new URL('.', import.meta.url));
const bin = join(here, '../packages/knowledge-server/bin/fleet-knowledge.js');
const dir = mkdtempSync(join(tmpdir(), 'fleet-kbench-'));
const log = (line) => {
  if (!json) console.error(line);
};

/** A TCP proxy to `target` that counts the bytes crossing it in both directions. */
function countingProxy(target) {
  const { hostname, port } = new URL(target);
  const counter = { bytes: 0 };
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    client.on('data', (chunk) => {
      counter.bytes += chunk.length;
    });
    upstream.on('data', (chunk) => {
      counter.bytes += chunk.length;
    });
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${server.address().port}`, counter, close: () => server.close() }),
    );
  });
}

function fact(i, round = 0) {
  return {
    key: `hosts/h${i % 100}/services/s${i}`,
    value: { model: `llama3-${i % 13}`, port: 8000 + (i % 1000), round, note: `service ${i} on host ${i % 100}` },
    tags: [`host:h${i % 100}`, `kind:k${i % 7}`],
  };
}

async function timed(fn) {
  const start = performance.now();
  const result = await fn();
  return { ms: performance.now() - start, result };
}

/** p50/p99 of `count` sequential calls, after `count / 10` untimed ones (JIT and caches warm). */
async function latencies(count, fn) {
  for (let i = 0; i < count / 10; i++) await fn(count + i);
  const samples = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await fn(i);
    samples.push(performance.now() - start);
  }
  return { p50ms: round(percentile(samples, 50)), p99ms: round(percentile(samples, 99)) };
}

/**
 * {@link latencies} of `a` and `b` taken in turns (a, b, a, b, ...), so that a slow spell of this
 * shared machine weighs on both alike.
 */
async function interleavedLatencies(count, a, b) {
  for (let i = 0; i < count / 10; i++) {
    await a(count + i);
    await b(count + i);
  }
  const samples = [[], []];
  for (let i = 0; i < count; i++) {
    for (const [index, fn] of [a, b].entries()) {
      const start = performance.now();
      await fn(i);
      samples[index].push(performance.now() - start);
    }
  }
  return samples.map((taken) => ({ p50ms: round(percentile(taken, 50)), p99ms: round(percentile(taken, 99)) }));
}

const round = (n) => Math.round(n * 100) / 100;
const serverArgs = (name) => [
  bin,
  'server',
  '--port',
  '0',
  '--db',
  join(dir, `${name}.db`),
  '--node-id',
  name,
  '--sync-interval',
  '0',
];

/** Bytes of sync metadata per fact: the version (ms, counter) and source columns as SQLite stores them. */
function syncMetadataBytesPerFact(dbPath) {
  const db = new Database(dbPath, { readonly: true });
  // SQLite record format: one header byte per column plus the integer's own size (0 for 0 and 1).
  const size = (column) => `(1 + CASE WHEN ${column} IN (0, 1) THEN 0 WHEN abs(${column}) < 128 THEN 1
    WHEN abs(${column}) < 32768 THEN 2 WHEN abs(${column}) < 8388608 THEN 3 WHEN abs(${column}) < 2147483648 THEN 4
    WHEN abs(${column}) < 140737488355328 THEN 6 ELSE 8 END)`;
  const row = db
    .prepare(
      `SELECT count(*) AS n, sum(${size('v_ms')} + ${size('v_counter')} + ${size('source')}) AS bytes FROM facts`,
    )
    .get();
  let fileBytesPerFact = null;
  try {
    const pages = db.prepare('SELECT sum(pgsize) AS bytes FROM dbstat').get();
    fileBytesPerFact = round(pages.bytes / row.n);
  } catch {
    // dbstat is not compiled in: report the metadata figure alone.
  }
  db.close();
  // The change sequence is the table's rowid, which a keyed table carries anyway: it costs no extra bytes.
  return { metadata: round(row.bytes / row.n), fileBytesPerFact };
}

const results = {};
let a;
let b;
let c;
let bare;
let proxy;
/** Stops the servers and removes the temp dir, once (the normal end, an error, or Ctrl-C). */
const cleanUp = cleanUpOnExit(async () => {
  try {
    proxy?.close();
    await Promise.all([a, b, c, bare].map(stopServer));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
try {
  a = await startServer(serverArgs('a'));
  b = await startServer(serverArgs('b'));
  c = await startServer(serverArgs('c'));
  const clientA = new KnowledgeClient({ url: a.url, timeoutMs: 0 });
  const clientB = new KnowledgeClient({ url: b.url, timeoutMs: 0 });

  log(`putting ${total.toLocaleString('en')} facts on node a (batches of 1,000)`);
  const put = await timed(async () => {
    for (let i = 0; i < total; i += 1000) {
      await clientA.putBatch(Array.from({ length: Math.min(1000, total - i) }, (_, j) => fact(i + j)));
    }
  });
  results.putFactsPerSecond = Math.round(total / (put.ms / 1000));

  // Node b syncs with a directly, for the timings; node c syncs through a counting proxy, for the
  // bytes (the proxy runs in this process and takes CPU from the nodes on a small machine).
  await clientB.addPeer({ id: 'a', url: a.url });
  proxy = await countingProxy(a.url);
  const clientC = new KnowledgeClient({ url: c.url, timeoutMs: 0 });
  await clientC.addPeer({ id: 'a', url: proxy.url });
  const sync = async (client, what) => {
    const run = await timed(() => client.runSync());
    const [result] = run.result.results;
    if (!result?.ok) throw new Error(`${what} failed: ${JSON.stringify(result)}`);
    return { ms: run.ms, pulled: result.pulled, pushed: result.pushed };
  };

  log('initial sync: node b pulls everything from node a');
  const initial = await sync(clientB, 'initial sync');
  if (initial.pulled < total) throw new Error(`initial sync pulled ${initial.pulled} of ${total} facts`);
  log('the same through the byte-counting proxy (node c)');
  const counted = await sync(clientC, 'initial sync through the proxy');
  results.initialSync = {
    facts: initial.pulled,
    pushedBack: initial.pushed,
    seconds: round(initial.ms / 1000),
    factsPerSecond: Math.round(initial.pulled / (initial.ms / 1000)),
    wireBytesPerFact: round(proxy.counter.bytes / counted.pulled),
    throughProxyFactsPerSecond: Math.round(counted.pulled / (counted.ms / 1000)),
  };

  proxy.counter.bytes = 0;
  await sync(clientC, 'idle round');
  results.idleSyncRoundBytes = proxy.counter.bytes;

  log('incremental sync of 1,000 changed facts');
  const changed = Array.from({ length: 1000 }, (_, j) => fact(j * Math.floor(total / 1000), 1));
  await clientA.putBatch(changed);
  const incremental = await sync(clientB, 'incremental sync');
  proxy.counter.bytes = 0;
  const countedIncremental = await sync(clientC, 'incremental sync through the proxy');
  results.incrementalSync = {
    facts: incremental.pulled,
    ms: round(incremental.ms),
    factsPerSecond: Math.round(incremental.pulled / (incremental.ms / 1000)),
    wireBytesPerFact: round(proxy.counter.bytes / Math.max(1, countedIncremental.pulled)),
  };
  await c.stop();
  c = undefined;

  log(
    `query latency at ${total.toLocaleString('en')} facts (3,000 mixed queries to settle, then 1,000 sequential queries of each kind after 100 to warm up, over HTTP)`,
  );
  const prefixQuery = (i) => clientB.query({ prefix: `hosts/h${i % 100}/services/s1`, limit: 100 });
  const tagQuery = (i) => clientB.query({ tag: `host:h${i % 100}`, limit: 100 });
  const fullTextQuery = (i) => clientB.query({ q: `"service ${(i * 97) % total}"`, limit: 100 });
  // Steady state is timed. Right after the bulk sync node b is still collecting the sync's garbage
  // and optimizing its query path: the first few thousand queries are slower whatever their kind
  // (reported separately, mixed kinds).
  const kinds = [prefixQuery, tagQuery, fullTextQuery];
  const settling = [];
  for (let i = 0; i < 3000; i++) {
    const start = performance.now();
    await kinds[i % kinds.length](i);
    settling.push(performance.now() - start);
  }
  results.queryLatencyRightAfterSync = {
    queries: settling.length,
    p50ms: round(percentile(settling, 50)),
    p99ms: round(percentile(settling, 99)),
  };
  // Baseline: the bytes of one prefix page from a bare node:http server, read with fetch and
  // JSON.parse: what this machine's loopback, event loops and garbage collectors cost alone. Timed in
  // turns with node b's prefix queries.
  log('baseline: the same page from a bare node:http server, in turns with the prefix queries');
  const pageFile = join(dir, 'prefix-page.json');
  const page = await fetch(`${b.url}/facts?prefix=${encodeURIComponent('hosts/h1/services/s1')}&limit=100`);
  writeFileSync(pageFile, await page.text());
  bare = await startServer([join(here, 'static-server.mjs'), pageFile]);
  const bareUrl = bare.url;
  const barePageQuery = async () => JSON.parse(await (await fetch(`${bareUrl}/facts`)).text());
  const [prefix, barePage] = await interleavedLatencies(1000, prefixQuery, barePageQuery);
  results.queryLatency = {
    prefix,
    tag: await latencies(1000, tagQuery),
    fullText: await latencies(1000, fullTextQuery),
    // Matches 1 fact in 13: FTS5 cannot return matches in key order, so all of them are sorted.
    fullTextBroad: await latencies(200, (i) => clientB.query({ q: `"llama3-${i % 13}"`, limit: 100 })),
  };

  results.queryBaseline = {
    barePrefixPage: barePage,
    prefixOverBare: { p50: round(prefix.p50ms / barePage.p50ms), p99: round(prefix.p99ms / barePage.p99ms) },
  };

  // Node b's file, read once node b has stopped and closed it.
  await b.stop();
  b = undefined;
  results.diskBytesPerFact = syncMetadataBytesPerFact(join(dir, 'b.db'));
} finally {
  await cleanUp();
}

const checks = judge(
  [
    ['initial sync facts/s', results.initialSync.factsPerSecond, '>=', 50_000],
    ['sync metadata bytes/fact on disk', results.diskBytesPerFact.metadata, '<=', 40],
    ['idle sync round bytes', results.idleSyncRoundBytes, '<', 1024],
    ['prefix query p99 ms', results.queryLatency.prefix.p99ms, '<', 5],
    ['tag query p99 ms', results.queryLatency.tag.p99ms, '<', 5],
    ['full-text query p99 ms', results.queryLatency.fullText.p99ms, '<', 5],
  ],
  { quiet: json },
);

if (json) console.log(JSON.stringify({ facts: total, results, checks }, null, 2));
else {
  console.log(JSON.stringify(results, null, 2));
  console.table(checks);
}
