// One pg-boss process of bench/bus-postgres.mjs (forked, pinned to a core like a bus replica): on
// each `{ run }` message it runs `loops` concurrent send, fetch, complete loops for `seconds`, each
// loop on its own queue, and answers with the number of jobs completed.
//
//   batch 1:  send(queue, data), fetch(queue), complete(queue, id)
//   batch N:  insert(N jobs), fetch(queue, { batchSize: N }), complete(queue, ids)
import PgBoss from 'pg-boss';
import { pinSelf } from './_lib.mjs';

const [url, core, poolSize] = process.argv.slice(2);
if (core !== '-') pinSelf(Number(core));

const data = { text: 'x'.repeat(1000) };
// The library's own maintenance runs as it would in production (supervise, monitorState); cron
// scheduling is off because no schedule exists.
const boss = new PgBoss({ connectionString: url, schema: 'pgboss', max: Number(poolSize), schedule: false });
boss.on('error', (error) => console.error('pg-boss:', error.message));
await boss.start();

async function loop(queue, batch, until) {
  let done = 0;
  const jobs = Array.from({ length: batch }, () => ({ name: queue, data }));
  while (performance.now() < until) {
    if (batch === 1) await boss.send(queue, data);
    else await boss.insert(jobs);
    const fetched = await boss.fetch(queue, { batchSize: batch });
    if (fetched.length === 0) continue;
    await boss.complete(
      queue,
      fetched.map((job) => job.id),
    );
    done += fetched.length;
  }
  return done;
}

process.on('message', async (message) => {
  if (message === 'stop') {
    await boss.stop({ graceful: false, wait: true });
    process.exit(0);
  }
  const { queues, batch, seconds } = message.run;
  const started = performance.now();
  const until = started + seconds * 1000;
  try {
    const counts = await Promise.all(queues.map((queue) => loop(queue, batch, until)));
    const elapsed = (performance.now() - started) / 1000;
    process.send({ jobs: counts.reduce((a, b) => a + b, 0), seconds: elapsed });
  } catch (error) {
    // One line, not a stack per loop: on Ctrl-C the database goes first, in the middle of a run.
    console.error(`pg-boss worker: ${error.message}`);
    process.exit(1);
  }
});
process.send('ready');
