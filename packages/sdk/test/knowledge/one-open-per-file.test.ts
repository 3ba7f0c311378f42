import { relative } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { KnowledgeDB } from '../../src/knowledge/knowledge-db.ts';
import { fact, fleetErrorOf, freshPath } from './_knowledge.ts';

// Each KnowledgeDB keeps the feed position in memory: a second one on the same file would give a
// write a feed position its peers have already pulled past, and the write would never replicate.

describe('one KnowledgeDB per database file', () => {
  test('a second open of a file that is open is refused with an error naming the file', () => {
    const path = freshPath();
    const first = new KnowledgeDB({ path, nodeId: 'a' });
    try {
      first.put(fact({ key: 'k', value: 1 }));
      const error = fleetErrorOf(() => new KnowledgeDB({ path, nodeId: 'a' }), 'conflict');
      expect(error.message).toContain(path);
      // Under another name for the same file too.
      fleetErrorOf(() => new KnowledgeDB({ path: relative(process.cwd(), path) }), 'conflict');
      // The first is untouched by the refused opens.
      first.put(fact({ key: 'k', value: 2 }));
      expect(first.changes(0, 10).changes.map((change) => [change.key, change.seq])).toEqual([['k', 2]]);
    } finally {
      first.close();
    }
  });

  test('closing releases the file: the next open works and finds every write', () => {
    const path = freshPath();
    const first = new KnowledgeDB({ path, nodeId: 'a' });
    first.put(fact({ key: 'k', value: 1 }));
    first.close();
    const second = new KnowledgeDB({ path });
    try {
      expect(second.get('k')?.value).toBe(1);
      expect(second.seq()).toBe(1);
    } finally {
      second.close();
    }
  });

  test('a close that fails (the file busy in another connection) still lets the file go', () => {
    const path = freshPath();
    const db = new KnowledgeDB({ path, nodeId: 'b' });
    // A sqlite3 shell holding a write transaction: clearing the open mark times out.
    const shell = new Database(path, { timeout: 0 });
    shell.exec('BEGIN IMMEDIATE');
    try {
      expect(() => db.close()).toThrow();
    } finally {
      shell.exec('ROLLBACK');
      shell.close();
    }
    const reopened = new KnowledgeDB({ path, nodeId: 'b' });
    reopened.close();
  });

  test('a file refused for another node id stays free', () => {
    const path = freshPath();
    new KnowledgeDB({ path, nodeId: 'a' }).close();
    fleetErrorOf(() => new KnowledgeDB({ path, nodeId: 'b' }), 'conflict');
    // The failed open released what it had claimed.
    new KnowledgeDB({ path, nodeId: 'a' }).close();
  });
});
