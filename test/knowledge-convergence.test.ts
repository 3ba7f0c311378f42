import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Fact, type FactInputInit, KnowledgeClient, type PeerSyncResult } from '@fleet/sdk';
import { randomTools, seededRandom } from '@fleet/test-utils/mulberry32';
import { type SpawnedServer, spawnServer } from '@fleet/test-utils/spawn-server';
import { afterAll, afterEach, describe, expect, test } from 'vitest';

/** The built `fleet-knowledge` bin (the root `npm test` builds before testing). */
const BIN = fileURLToPath(new URL('../packages/knowledge-server/bin/fleet-knowledge.js', import.meta.url));

/** Fixed seeds in CI; more with FLEET_CONVERGENCE_SEEDS=7,8,9 (or a count: FLEET_CONVERGENCE_SEEDS=20). */
function seeds(): number[] {
  const env = process.env.FLEET_CONVERGENCE_SEEDS?.trim();
  if (!env) return [1, 2, 3];
  if (/^\d+$/.test(env) && !env.includes(',')) return Array.from({ length: Number(env) }, (_, i) => 1000 + i);
  return env.split(',').map((seed) => Number(seed.trim()));
}

const KEYS = 24;
const TAGS = ['red', 'green', 'blue', 'x:y'];
const SHORT_TTL_SECONDS = 1;
const LONG_TTL_SECONDS = 3600;
const BACKLOG = 1500;

const dir = mkdtempSync(join(tmpdir(), 'fleet-convergence-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const children: SpawnedServer[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    child.child.kill('SIGKILL');
    await child.exited;
  }
});

interface Node {
  id: string;
  db: string;
  server: SpawnedServer;
  client: KnowledgeClient;
}

async function startNode(id: string, db: string): Promise<Node> {
  // GC runs every 200 ms, so tombstones are collected while the nodes still sync, partition and restart.
  const server = await spawnServer(BIN, [
    'server',
    '--port',
    '0',
    '--db',
    db,
    '--node-id',
    id,
    '--sync-interval',
    '0',
    '--gc-interval',
    '200ms',
  ]);
  children.push(server);
  return { id, db, server, client: new KnowledgeClient({ url: server.url, retry: 0, timeoutMs: 20_000 }) };
}

/** A URL where connections are refused: a peer "behind a partition". */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

/** Registers every node as a peer of every other one, with `urls` overriding a node's URL. */
async function connect(nodes: Node[], urls: Record<string, string> = {}): Promise<void> {
  for (const node of nodes) {
    for (const other of nodes) {
      if (other !== node) await node.client.addPeer({ id: other.id, url: urls[other.id] ?? other.server.url });
    }
  }
}

/** One line per live fact, in key order: everything that must agree across nodes. */
async function liveLines(client: KnowledgeClient): Promise<string[]> {
  const lines: string[] = [];
  for await (const fact of client.queryAll({ limit: 1000 })) lines.push(factLine(fact));
  return lines;
}

function factLine(fact: Fact): string {
  return [fact.key, JSON.stringify(fact.value), fact.tags.join(','), fact.version, fact.source, fact.expiresAt].join(
    ' | ',
  );
}

const digest = (lines: string[]) => createHash('sha256').update(lines.join('\n')).digest('hex');

/** The latest `expiresAt` (epoch ms) of the node's facts that expire within a minute, or 0. */
async function lastShortExpiry(client: KnowledgeClient): Promise<number> {
  let latest = 0;
  const soon = Date.now() + 60_000;
  for (let since = 0; ; ) {
    const page = await client.changes({ since, limit: 5000 });
    for (const change of page.changes) {
      const expiresAt = change.expiresAt === null ? 0 : Date.parse(change.expiresAt);
      if (expiresAt < soon && expiresAt > latest) latest = expiresAt;
    }
    if (!page.hasMore) return latest;
    since = page.nextSince;
  }
}

/** Deletions that removed a live fact, over the current run. */
let deletions = 0;

async function deleteFact(node: Node, key: string): Promise<void> {
  if ((await node.client.delete(key)).deleted) deletions++;
}

/** Random writes on one node: puts, overwrites, deletes, delete-then-recreate, TTL facts, batches. */
async function writeRandomly(node: Node, random: () => number, ops: number, seed: number): Promise<void> {
  const { int, chance } = randomTools(random);
  const key = () => `conv/${int(KEYS)}`;
  const input = (k: string): FactInputInit => {
    const tags = TAGS.filter(() => chance(0.3));
    const roll = random();
    const ttlSeconds = roll < 0.15 ? SHORT_TTL_SECONDS : roll < 0.25 ? LONG_TTL_SECONDS : null;
    return { key: k, value: { seed, by: node.id, n: int(1_000_000) }, tags, ttlSeconds };
  };
  for (let op = 0; op < ops; op++) {
    const roll = random();
    if (roll < 0.5) await node.client.put(input(key()));
    else if (roll < 0.7) await deleteFact(node, key());
    else if (roll < 0.85) {
      const k = key();
      await deleteFact(node, k);
      await node.client.put(input(k));
    } else {
      const keys = [...new Set(Array.from({ length: 2 + int(4) }, key))];
      await node.client.putBatch(keys.map(input));
    }
    if (chance(0.1)) await new Promise((resolve) => setTimeout(resolve, int(5)));
  }
}

/** Runs `POST /sync/run` on random nodes of `among` until `done()`. */
async function syncRandomly(among: () => Node[], random: () => number, done: () => boolean): Promise<void> {
  const { pick, int } = randomTools(random);
  while (!done()) {
    await pick(among()).client.runSync();
    await new Promise((resolve) => setTimeout(resolve, int(10)));
  }
}

/** Writes on every node concurrently while syncs run among `syncing`. */
async function activePhase(nodes: Node[], syncing: () => Node[], seed: number, phase: number, ops: number) {
  let writing = true;
  const syncs = syncRandomly(syncing, seededRandom(seed, phase * 10), () => !writing);
  try {
    await Promise.all(nodes.map((node, i) => writeRandomly(node, seededRandom(seed, phase * 10 + i + 1), ops, seed)));
  } finally {
    writing = false;
    await syncs;
  }
}

/** Sync rounds, nodes in random order, until a whole round moves nothing. */
async function syncUntilQuiet(nodes: Node[], random: () => number, seed: number): Promise<number> {
  const { int } = randomTools(random);
  for (let round = 1; round <= 12; round++) {
    const order = [...nodes].sort(() => int(3) - 1);
    const results: PeerSyncResult[] = [];
    for (const node of order) results.push(...(await node.client.runSync()).results);
    const failed = results.filter((result) => !result.ok);
    expect(failed, `seed ${seed}: sync failures in round ${round}`).toEqual([]);
    if (results.every((result) => result.pulled === 0 && result.pushed === 0)) return round;
  }
  throw new Error(`seed ${seed}: still syncing changes after 12 rounds`);
}

describe('knowledge convergence: three fleet-knowledge processes under random writes', () => {
  test.each(seeds())(
    'seed %i: every node ends with exactly the same live facts',
    async (seed) => {
      deletions = 0;
      const control = randomTools(seededRandom(seed));
      const nodes = await Promise.all(['n1', 'n2', 'n3'].map((id) => startNode(id, join(dir, `${seed}-${id}.db`))));
      await connect(nodes);

      // 1. Everyone connected.
      await activePhase(nodes, () => nodes, seed, 1, 40);

      // 2. One node partitioned: nobody reaches it, it syncs with nobody, everyone keeps writing.
      const isolated = control.pick(nodes);
      const others = nodes.filter((node) => node !== isolated);
      await connect(nodes, { [isolated.id]: await refusedUrl() });
      await activePhase(nodes, () => others, seed, 2, 40);
      await connect(nodes);

      // 3. A node with a backlog is killed with SIGKILL while everyone syncs, then restarted on its file.
      const victim = control.pick(nodes);
      const backlog = Array.from({ length: BACKLOG }, (_, i) => ({ key: `backlog/${seed}/${i}`, value: i }));
      for (let start = 0; start < BACKLOG; start += 500)
        await victim.client.putBatch(backlog.slice(start, start + 500));
      const watcher = control.pick(nodes.filter((node) => node !== victim));
      const pulledBefore = await pulledFrom(watcher, victim.id);
      const inFlight = nodes.map((node) =>
        node.client.runSync().then(
          () => 'finished' as const,
          () => 'failed' as const,
        ),
      );
      // Kill once the watcher has pulled a page of the backlog (or at the latest when its sync ended).
      const watcherDone = inFlight[nodes.indexOf(watcher)];
      while ((await pulledFrom(watcher, victim.id)) === pulledBefore) {
        if ((await Promise.race([watcherDone, Promise.resolve('running')])) !== 'running') break;
      }
      victim.server.child.kill('SIGKILL');
      expect(await victim.server.exited, `seed ${seed}`).toBe('SIGKILL');
      await Promise.all(inFlight);
      const restarted = await startNode(victim.id, victim.db);
      nodes[nodes.indexOf(victim)] = restarted;
      await connect(nodes);

      // 4. Writes and syncs again, then sync until nothing moves.
      await activePhase(nodes, () => nodes, seed, 4, 20);
      const rounds = await syncUntilQuiet(nodes, control.random, seed);

      // Compare at a point where every short TTL has passed, so no fact expires between two reads.
      const expiry = Math.max(...(await Promise.all(nodes.map((node) => lastShortExpiry(node.client)))));
      while (Date.now() <= expiry + 10) await new Promise((resolve) => setTimeout(resolve, 25));
      const lines = await Promise.all(nodes.map((node) => liveLines(node.client)));
      const [reference = [], ...rest] = lines;
      for (const [i, other] of rest.entries()) {
        const differing = [...new Set([...reference, ...other])].filter(
          (line) => !reference.includes(line) || !other.includes(line),
        );
        expect(
          digest(other),
          `seed ${seed}: ${nodes[i + 1]?.id} differs from n1 after ${rounds} quiet rounds: ${differing.slice(0, 6).join(' || ')}`,
        ).toBe(digest(reference));
      }

      // The run was not trivial: facts survived, deletions happened, the backlog made it everywhere.
      expect(reference.length, `seed ${seed}`).toBeGreaterThan(BACKLOG);
      expect(deletions, `seed ${seed}: no deletions`).toBeGreaterThan(0);
    },
    45_000,
  );
});

/** How far `node` has pulled the feed of `peer`, by its sync status. */
async function pulledFrom(node: Node, peer: string): Promise<number> {
  const status = await node.client.syncStatus();
  return status.peers.find((entry) => entry.peer === peer)?.lastPulledSeq ?? 0;
}
