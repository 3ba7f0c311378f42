// The floor under any SQLite bus: the least a durable queue behind node:http must do per request,
// with nothing of Fleet's. Started by bench/bus.mjs next to the bare server and fleet-bus, so
// `floor / bare` is the most a bus storing its messages in SQLite could reach on this machine, and
// `fleet-bus / floor` what Fleet's validation, ids, audit trail, counters and answers cost on top.
//
// One table and one index (a recipient's unleased messages in order), the bus's SQLite settings
// (WAL, synchronous NORMAL, 8 KiB pages, 2 MB cache, large autocheckpoint) and its group commit
// (every write of an event-loop turn, and under load of the next one, in one transaction; answers
// after COMMIT). It reads the body and `JSON.parse`s it, but validates nothing, keeps no audit trail
// or counters, and answers a few bytes of JSON, like the bare server. Speaks the routes the bench
// drives: POST /message, POST /receive, POST /ack.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const dir = mkdtempSync(join(tmpdir(), 'fleet-floor-'));
const db = new Database(join(dir, 'floor.db'));
db.pragma('page_size = 8192');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('cache_size = -2048');
db.pragma(`wal_autocheckpoint = ${(40 * 1024 * 1024) / 8192}`);
db.exec(`
CREATE TABLE queue (seq INTEGER PRIMARY KEY, recipient TEXT NOT NULL, payload TEXT NOT NULL, lease INTEGER);
CREATE INDEX queue_ready ON queue (recipient, seq) WHERE lease IS NULL;
`);
const insert = db.prepare('INSERT INTO queue (recipient, payload) VALUES (?, ?)');
const ready = db
  .prepare('SELECT seq, payload FROM queue WHERE recipient = ? AND lease IS NULL ORDER BY seq LIMIT ?')
  .raw();
const take = db.prepare('UPDATE queue SET lease = ? WHERE seq = ?');
const remove = db.prepare('DELETE FROM queue WHERE seq = ? AND lease = ?');

let queued = [];
let scheduled = false;
let gathering = false;
const commit = db.transaction((jobs) => jobs.map((job) => job.write()));

/** Queues a write for the group transaction; `done` gets its result after COMMIT. */
function enqueue(write, done) {
  queued.push({ write, done });
  if (!scheduled) {
    scheduled = true;
    setImmediate(turn);
  }
}

function turn() {
  if (!gathering && queued.length >= 2) {
    gathering = true;
    setImmediate(turn);
    return;
  }
  gathering = false;
  scheduled = false;
  const jobs = queued;
  queued = [];
  const results = commit.immediate(jobs);
  for (const [index, job] of jobs.entries()) job.done(results[index]);
}

let leases = 0;
const routes = {
  '/message': (body) => () => ({ id: Number(insert.run(body.to, JSON.stringify(body.payload)).lastInsertRowid) }),
  '/receive': (body) => () => {
    const lease = ++leases;
    const deliveries = ready.all(body.agent, body.limit).map(([seq, payload]) => {
      take.run(lease, seq);
      return { receipt: `${seq}~${lease}`, message: { id: seq, payload: JSON.parse(payload) } };
    });
    return { deliveries };
  },
  '/ack': (body) => () => {
    let acked = 0;
    for (const receipt of body.receipts) {
      const [seq, lease] = receipt.split('~').map(Number);
      acked += remove.run(seq, lease).changes;
    }
    return { acked };
  },
};

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const route = routes[req.url];
    if (req.method !== 'POST' || !route) {
      res.writeHead(404).end();
      return;
    }
    enqueue(route(JSON.parse(Buffer.concat(chunks).toString())), (result) => {
      res.writeHead(req.url === '/message' ? 201 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result));
    });
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`sqlite floor server listening on http://127.0.0.1:${server.address().port}`);
});
// SIGINT too: Ctrl-C in the terminal reaches the bench's servers as well as the bench.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.closeAllConnections();
    server.close(() => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}
