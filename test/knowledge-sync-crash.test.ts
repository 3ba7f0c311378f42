import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKnowledgeServer } from '@fleet/knowledge-server';
import { FactInput } from '@fleet/sdk';
import { KnowledgeDB } from '@fleet/sdk/stores';
import { SYNC_WORKER as WORKER } from '@fleet/test-utils/sync-worker';
import { afterAll, describe, expect, test } from 'vitest';

const BACKLOG = 5000;
const BATCH = 500;

const dir = mkdtempSync(join(tmpdir(), 'fleet-sync-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface PullLine {
  since: number;
  /** Pages of the first (snapshot) pull: the key they start after, and the key to continue from. */
  afterKey?: string | null;
  count: number;
  nextSince: number;
  nextKey?: string | null;
}

/** The worker process, the pull pages it printed, and its exit. */
function startWorker(config: Record<string, unknown>, onPull: (pull: PullLine, child: ChildProcess) => void) {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const pulls: PullLine[] = [];
  let done: unknown;
  let buffer = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
      const line = JSON.parse(buffer.slice(0, end)) as { pull?: PullLine; done?: unknown };
      buffer = buffer.slice(end + 1);
      if (line.pull) {
        pulls.push(line.pull);
        onPull(line.pull, child);
      }
      if (line.done) done = line.done;
    }
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return { pulls, exited, done: () => done, stderr: () => stderr };
}

/** Every key's state in a node's feed, without the node-local seq, in key order. */
function states(db: KnowledgeDB) {
  const all = [];
  for (let since = 0; ; ) {
    const page = db.changes(since, 5000);
    for (const { seq: _, ...state } of page.changes) all.push(state);
    if (!page.hasMore) break;
    since = page.nextSince;
  }
  return all.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The peer's own count of `/sync/pull` requests it answered with 200, from its `/metrics`. */
async function pullRequestsServed(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const match of text.matchAll(/^fleet_http_requests_total\{([^}]*)\} (\d+)$/gm)) {
    const labels = match[1] ?? '';
    if (labels.includes('route="/sync/pull"') && labels.includes('status="200"')) total += Number(match[2]);
  }
  return total;
}

/** Puts BACKLOG facts (`<prefix>/00000` ...) on the peer, in batches of 1,000. */
function putBacklog(db: KnowledgeDB, prefix: string): void {
  for (let start = 0; start < BACKLOG; start += 1000) {
    db.putBatch(
      Array.from({ length: 1000 }, (_, i) =>
        FactInput.parse({
          key: `${prefix}/${String(start + i).padStart(5, '0')}`,
          value: { n: start + i },
          tags: ['crash'],
        }),
      ),
    );
  }
}

describe('SyncEngine killed with SIGKILL mid-pull', () => {
  test(`a first (snapshot) pull resumes after the last committed key: no fact lost, at most one batch of ${BATCH} pulled twice`, async () => {
    const peer = await startKnowledgeServer({ port: 0, syncIntervalMs: 0, db: join(dir, 'peer.db'), nodeId: 'peer' });
    try {
      putBacklog(peer.db, 'backlog');
      const config = {
        db: join(dir, 'puller.db'),
        nodeId: 'puller',
        peerId: 'peer',
        peerUrl: peer.url,
        batchSize: BATCH,
      };

      // First run: killed right after the 4th page arrived (while it is applied or the 5th is asked for).
      const first = startWorker({ ...config, pauseMs: 20 }, (_pull, child) => {
        if (first.pulls.length === 4) child.kill('SIGKILL');
      });
      expect(await first.exited, first.stderr()).toBe('SIGKILL');
      expect(first.done()).toBeUndefined();

      // The first pull from a peer is a snapshot in key order: its progress is the last key applied.
      const crashed = new KnowledgeDB({ path: config.db });
      const progress = crashed.peerState('peer').pullSnapshot;
      const committed = crashed.stats().facts;
      crashed.close();
      // Killed mid-pull, after at least one page was committed with its progress.
      expect(progress?.afterKey).toEqual(expect.any(String));
      expect(committed).toBeGreaterThan(0);
      expect(committed).toBeLessThan(BACKLOG);
      expect(first.pulls.map((pull) => pull.nextKey)).toContain(progress?.afterKey);

      // Second run: resumes after the committed key and finishes, then follows the feed.
      const second = startWorker({ ...config, pauseMs: 0 }, () => {});
      expect(await second.exited, second.stderr()).toBe(0);
      expect(second.pulls[0]?.afterKey).toBe(progress?.afterKey);
      expect(second.done()).toEqual([{ peer: 'peer', ok: true, pulled: BACKLOG - committed, pushed: 0, error: null }]);

      // At most one batch was sent twice: the two pages in flight (the one being written and the one
      // requested ahead) are half a batch each. By the pages the puller received, and by the peer's count.
      const received = [...first.pulls, ...second.pulls].reduce((sum, pull) => sum + pull.count, 0);
      expect(first.pulls.every((pull) => pull.count <= BATCH / 2)).toBe(true);
      expect(received - BACKLOG).toBeLessThanOrEqual(BATCH);
      expect(await pullRequestsServed(peer.url)).toBeLessThanOrEqual(BACKLOG / (BATCH / 2) + 2);

      // No fact lost: the puller holds exactly the peer's facts.
      const puller = new KnowledgeDB({ path: config.db });
      try {
        expect(puller.stats().facts).toBe(BACKLOG);
        expect(states(puller)).toEqual(states(peer.db));
        expect(puller.peerState('peer')).toMatchObject({ lastPulledSeq: BACKLOG, pullSnapshot: null });
      } finally {
        puller.close();
      }
    } finally {
      await peer.close();
    }
  }, 60_000);

  test(`a pull of the feed resumes from the last committed page: no fact lost, at most one batch of ${BATCH} pulled twice`, async () => {
    const peer = await startKnowledgeServer({ port: 0, syncIntervalMs: 0, db: join(dir, 'peer-2.db'), nodeId: 'peer' });
    try {
      peer.db.put(FactInput.parse({ key: 'warm-up', value: 0 }));
      const config = {
        db: join(dir, 'puller-2.db'),
        nodeId: 'puller',
        peerId: 'peer',
        peerUrl: peer.url,
        batchSize: BATCH,
      };
      // A first sync (the snapshot) before the backlog, so the backlog comes through the feed.
      const warmUp = startWorker({ ...config, pauseMs: 0 }, () => {});
      expect(await warmUp.exited, warmUp.stderr()).toBe(0);
      const start = peer.db.seq();
      putBacklog(peer.db, 'feed');
      const served = await pullRequestsServed(peer.url);

      // Killed right after the 4th page arrived (while it is applied or the 5th is asked for).
      const first = startWorker({ ...config, pauseMs: 20 }, (_pull, child) => {
        if (first.pulls.length === 4) child.kill('SIGKILL');
      });
      expect(await first.exited, first.stderr()).toBe('SIGKILL');
      expect(first.pulls.every((pull) => pull.afterKey === undefined)).toBe(true);

      const crashed = new KnowledgeDB({ path: config.db });
      const cursor = crashed.peerState('peer').lastPulledSeq;
      crashed.close();
      expect(cursor).toBeGreaterThan(start);
      expect(cursor).toBeLessThan(start + BACKLOG);
      expect(first.pulls.map((pull) => pull.nextSince)).toContain(cursor);

      const second = startWorker({ ...config, pauseMs: 0 }, () => {});
      expect(await second.exited, second.stderr()).toBe(0);
      expect(second.pulls[0]?.since).toBe(cursor);
      expect(second.done()).toEqual([
        { peer: 'peer', ok: true, pulled: start + BACKLOG - cursor, pushed: 0, error: null },
      ]);

      const received = [...first.pulls, ...second.pulls].reduce((sum, pull) => sum + pull.count, 0);
      expect(received - BACKLOG).toBeLessThanOrEqual(BATCH);
      expect((await pullRequestsServed(peer.url)) - served).toBeLessThanOrEqual(BACKLOG / (BATCH / 2) + 2);

      const puller = new KnowledgeDB({ path: config.db });
      try {
        expect(puller.stats().facts).toBe(BACKLOG + 1);
        expect(states(puller)).toEqual(states(peer.db));
      } finally {
        puller.close();
      }
    } finally {
      await peer.close();
    }
  }, 60_000);
});
