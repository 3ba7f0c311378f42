import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorEnvelope, FactPage } from '@fleet/sdk';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type RunningKnowledgeServer, startKnowledgeServer } from '../src/server.ts';

// A lone surrogate reaches the server as a JSON escape (`"k\ud800"`, as JSON.stringify writes it).
// SQLite would keep it as bytes that are not UTF-8 and list the key as `k\ufffd\ufffd\ufffd`, which
// then could not be read or deleted, and `k\ud800` and `k\udbff` would be one key on a peer.
const dir = mkdtempSync(join(tmpdir(), 'fleet-knowledge-well-formed-'));
let server: RunningKnowledgeServer;

beforeAll(async () => {
  server = await startKnowledgeServer({ port: 0, syncIntervalMs: 0, db: join(dir, 'knowledge.db') });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(path: string, body: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as unknown };
}

async function keys(): Promise<string[]> {
  const page = FactPage.parse(await (await fetch(`${server.url}/facts`)).json());
  return page.facts.map((fact) => fact.key);
}

describe('a fact key with a lone surrogate is refused over HTTP', () => {
  test.each(['k\ud800', 'k\udbff', 'k\udc00'])('POST /fact %j answers 400 naming key', async (key) => {
    const { status, json } = await post('/fact', { key, value: 1 });
    expect(status).toBe(400);
    const { error } = ErrorEnvelope.parse(json);
    expect(error.code).toBe('validation_failed');
    expect(error.details).toMatchObject({ issues: [expect.objectContaining({ field: 'key' })] });
    expect(await keys()).toEqual([]);
  });

  test('POST /facts names the item and stores none of the batch', async () => {
    const { status, json } = await post('/facts', {
      facts: [
        { key: 'ok', value: 1 },
        { key: 'bad\ud800', value: 2 },
      ],
    });
    expect(status).toBe(400);
    expect(ErrorEnvelope.parse(json).error.details).toMatchObject({
      issues: [expect.objectContaining({ field: 'facts.1.key' })],
    });
    expect(await keys()).toEqual([]);
  });

  test('POST /sync/push names the change', async () => {
    const change = {
      seq: 1,
      key: 'k\udbff',
      value: 1,
      tags: [],
      source: 'node-b',
      version: '001764067200123-00000',
      updatedAt: '2025-11-25T10:40:00.123Z',
      expiresAt: null,
      deleted: false,
    };
    const { status, json } = await post('/sync/push', { nodeId: 'node-b', changes: [change] });
    expect(status).toBe(400);
    expect(ErrorEnvelope.parse(json).error.details).toMatchObject({
      issues: [expect.objectContaining({ field: 'changes.0.key' })],
    });
    expect(await keys()).toEqual([]);
  });

  test('a key with a surrogate pair is stored, listed and read back as given', async () => {
    expect((await post('/fact', { key: 'k\ud83d\ude00', value: 1 })).status).toBe(201);
    expect(await keys()).toEqual(['k😀']);
    const read = await fetch(`${server.url}/facts/${encodeURIComponent('k😀')}`);
    expect(read.status).toBe(200);
  });
});
