import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FactInput } from '@fleet/sdk';
import { KnowledgeDB } from '@fleet/sdk/stores';
import { spawnKnowledge } from '@fleet/test-utils/spawn-knowledge';
import { afterAll, describe, expect, test } from 'vitest';

// These run the BUILT bin (`npm test` builds first), as a user would.
const dir = mkdtempSync(join(tmpdir(), 'fleet-knowledge-one-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cleanEnv = { FLEET_KNOWLEDGE_TOKENS: '', FLEET_KNOWLEDGE_PEER_TOKEN: '' };

/** What starting a server on `db` came to: the line it printed when it listened, or why it exited first. */
async function startOutcome(db: string): Promise<string> {
  return spawnKnowledge(['--db', db], cleanEnv).then(
    async (server) => {
      server.child.kill('SIGKILL');
      await server.exited;
      return `listening: ${server.stdout()}`;
    },
    (error: Error) => error.message,
  );
}

describe('fleet-knowledge server: one process per database file', () => {
  test('a second server on the same --db exits naming the file; a SIGKILL of the first frees it', async () => {
    const db = join(dir, 'shared.db');
    const first = await spawnKnowledge(['--db', db, '--node-id', 'one'], cleanEnv);
    try {
      expect(await startOutcome(db)).toContain(`${db} is open`);
      // In this process too, while the first holds it.
      expect(() => new KnowledgeDB({ path: db })).toThrow(`${db} is open`);
    } finally {
      first.child.kill('SIGKILL');
      await first.exited;
    }
    // Killed without a chance to close: the operating system released its hold.
    const reopened = new KnowledgeDB({ path: db });
    try {
      reopened.put(FactInput.parse({ key: 'after/kill', value: true }));
      expect(reopened.nodeId).toBe('one');
    } finally {
      reopened.close();
    }
    expect(await startOutcome(db)).toMatch(/^listening: fleet-knowledge one listening on /);
  });
});
