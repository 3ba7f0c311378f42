// Soak of the bus on PostgreSQL: a steady mixed load on two fleet-bus replicas for some minutes,
// printing p99 latency per minute, then the size of every table with its indexes.
//
// A diagnostic measurement, with no baseline and no target: it watches Fleet against itself over
// time (does the p99 drift from minute to minute, do the tables level off, do lifecycles fail), which
// no other system run beside it would make clearer. Its speed against a baseline is bus-postgres.mjs's.
//
//   npm run build && npm run bench:bus-soak       # 10 minutes
//   node bench/bus-soak.mjs --minutes 2 --rate 50 # shorter, lighter
//   node bench/bus-soak.mjs --json
//
// One throwaway cluster (@fleet/test-utils/postgres, fsync off), two replicas pinned to cores 0 and 1
// when taskset can. The load is open-loop at a fixed rate (--rate lifecycles per second, default
// 100): each lifecycle sends one 1 KB message through one replica to one of 20 agents, then receives
// for that agent through the other replica (30 s lease) and acks the delivery, or nacks it one time
// in ten at random (the default backoff, so nacked messages come back, and die after their last attempt). At
// most 500 lifecycles are in flight; ticks beyond that are counted as skipped, not queued. Ctrl-C or
// SIGTERM stops the load, the replicas and the cluster.
import { benchArgs } from './_args.mjs';
import { cleanUpOnExit, stopServer } from './_clean-up.mjs';
import { percentile } from './_lib.mjs';
import {
  humanBytes,
  keepAliveAgent,
  loadPostgresHarness,
  postJson,
  requireBuild,
  startReplicas,
  tableSizes,
} from './_postgres.mjs';

const { minutes, rate, json } = benchArgs(import.meta.url, {
  flags: ['json'],
  numbers: { minutes: { default: 10 }, rate: { default: 100 } },
});
const maxInFlight = 500;
const agents = Array.from({ length: 20 }, (_, i) => `soak-${i}`);
const payload = { text: 'x'.repeat(1000) };
const log = (line) => {
  if (!json) console.error(line);
};

log(
  'diagnostic measurement (no baseline, no target): p99 latency per minute and table sizes under a steady load, to see drift and growth over time',
);

requireBuild();
const { startPostgres } = await loadPostgresHarness();

/** Latency samples (ms) per operation of the current minute, and its counters. */
function newMinute() {
  return { send: [], receive: [], ack: [], nack: [], errors: 0, empty: 0, skipped: 0, lifecycles: 0 };
}

let minute = newMinute();
async function timed(op, agent, url, body) {
  const started = performance.now();
  const response = await postJson(agent, url, body);
  minute[op].push(performance.now() - started);
  if (response.status >= 300) throw new Error(`${op}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

let counter = 0;
async function lifecycle(replicas, httpAgents) {
  const n = counter++;
  const [a, b] = n % 2 ? [0, 1] : [1, 0];
  const to = agents[n % agents.length];
  await timed('send', httpAgents[a], `${replicas[a].url}/message`, { from: 'soak', to, payload });
  const { deliveries } = await timed('receive', httpAgents[b], `${replicas[b].url}/receive`, {
    agent: to,
    leaseSeconds: 30,
  });
  const receipt = deliveries[0]?.receipt;
  if (!receipt) {
    minute.empty += 1;
    return;
  }
  if (Math.random() < 0.1) {
    await timed('nack', httpAgents[b], `${replicas[b].url}/nack`, { receipt, reason: 'soak: failed on purpose' });
  } else {
    await timed('ack', httpAgents[b], `${replicas[b].url}/ack`, { receipts: [receipt] });
  }
  minute.lifecycles += 1;
}

function summarize(index, m) {
  const all = [...m.send, ...m.receive, ...m.ack, ...m.nack];
  const p = (list, q) => (list.length ? Math.round(percentile(list, q) * 10) / 10 : null);
  return {
    minute: index,
    lifecycles: m.lifecycles,
    requests: all.length,
    errors: m.errors,
    skipped: m.skipped,
    emptyReceives: m.empty,
    p50ms: p(all, 50),
    p99ms: p(all, 99),
    p99sendMs: p(m.send, 99),
    p99receiveMs: p(m.receive, 99),
    p99ackMs: p(m.ack, 99),
    p99nackMs: p(m.nack, 99),
    maxMs: all.length ? Math.round(Math.max(...all)) : null,
  };
}

const perMinute = [];
let sizes;
let rows;
let pg;
let replicas = [];
let httpAgents = [];
/** The load's timers, cleared by the clean-up. */
const timers = new Set();
/** Failed lifecycles by error message (a status and body, or a network error), over the whole run. */
const errorKinds = {};
/** Stops the load, the replicas and the cluster, once (the normal end, an error, or Ctrl-C). */
const cleanUp = cleanUpOnExit(async () => {
  for (const timer of timers) clearInterval(timer);
  for (const agent of httpAgents) agent.destroy();
  await Promise.allSettled(replicas.map(stopServer));
  await pg?.stop();
});
try {
  pg = await startPostgres();
  const db = await pg.createDatabase('soak');
  replicas = await startReplicas(db);
  httpAgents = replicas.map(() => keepAliveAgent(maxInFlight));
  log(`soak: ${minutes} min at ${rate} lifecycles/s (send, receive, ack or nack) on two replicas`);
  let inFlight = 0;
  const tickMs = 10;
  const started = performance.now();
  const end = started + minutes * 60_000;
  let launched = 0;
  let nextMinute = started + 60_000;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      if (now >= nextMinute) {
        perMinute.push(summarize(perMinute.length + 1, minute));
        const s = perMinute.at(-1);
        log(
          `minute ${s.minute}: ${s.lifecycles} lifecycles, p50 ${s.p50ms} ms, p99 ${s.p99ms} ms (send ${s.p99sendMs}, receive ${s.p99receiveMs}, ack ${s.p99ackMs}, nack ${s.p99nackMs}), max ${s.maxMs} ms, errors ${s.errors}, skipped ${s.skipped}`,
        );
        minute = newMinute();
        nextMinute += 60_000;
      }
      if (now >= end) {
        clearInterval(timer);
        const wait = setInterval(() => {
          if (inFlight === 0) {
            clearInterval(wait);
            resolve();
          }
        }, 10);
        timers.add(wait);
        return;
      }
      const due = Math.floor(((now - started) / 1000) * rate) - launched;
      for (let i = 0; i < due; i++) {
        launched += 1;
        if (inFlight >= maxInFlight) {
          minute.skipped += 1;
          continue;
        }
        inFlight += 1;
        const current = minute;
        lifecycle(replicas, httpAgents)
          .catch((error) => {
            current.errors += 1;
            const kind = `${error.code ?? ''} ${error.message}`.trim().slice(0, 200);
            errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
          })
          .finally(() => {
            inFlight -= 1;
          });
      }
    };
    const timer = setInterval(tick, tickMs);
    timers.add(timer);
  });
  // The last, partial minute (and requests that finished after the end).
  if (minute.send.length > 0) perMinute.push(summarize(perMinute.length + 1, minute));
  for (const agent of httpAgents) agent.destroy();
  sizes = await tableSizes(pg, 'soak');
  rows = Object.fromEntries(
    (
      await pg.psql(
        "SELECT 'messages_' || state, count(*) FROM messages GROUP BY state UNION ALL SELECT 'audit', count(*) FROM audit",
        'soak',
      )
    )
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name, count] = line.split('|');
        return [name, Number(count)];
      }),
  );
} finally {
  await cleanUp();
}

for (const [kind, count] of Object.entries(errorKinds)) console.error(`${count} failed lifecycles: ${kind}`);
if (json) {
  console.log(JSON.stringify({ diagnostic: true, minutes, rate, perMinute, errors: errorKinds, rows, sizes }, null, 2));
} else {
  console.table(perMinute);
  console.table(rows);
  console.table(
    sizes.map((s) => ({
      table: s.table,
      total: humanBytes(s.totalBytes),
      heap: humanBytes(s.heapBytes),
      indexes: `${humanBytes(s.indexBytes)} (${s.indexes})`,
    })),
  );
}
