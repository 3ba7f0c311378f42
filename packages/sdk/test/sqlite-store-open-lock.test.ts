import { symlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { SqliteMessageStore } from '../src/bus/sqlite-store.ts';
import { isFleetError } from '../src/errors.ts';
import { SendInput } from '../src/schemas/message.ts';
import { freshDatabasePath } from './_stores.ts';

const opened: SqliteMessageStore[] = [];

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

function open(path: string): SqliteMessageStore {
  const store = new SqliteMessageStore({ path });
  opened.push(store);
  return store;
}

function refusal(path: string): unknown {
  try {
    open(path);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('one SqliteMessageStore per file', () => {
  test('a second store on an open file is refused with conflict, in one line naming the file', async () => {
    const path = freshDatabasePath();
    const first = open(path);
    const error = refusal(path);
    expect(isFleetError(error) && error.code).toBe('conflict');
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/open already/);
    expect((error as Error).message).not.toContain('\n');
    // The first store is unharmed.
    await first.send(SendInput.parse({ from: 'a', to: 'b', payload: 1 }));
    expect((await first.stats()).totals.ready).toBe(1);
  });

  test('the file reached another way (a symlink) is the same file', () => {
    const path = freshDatabasePath();
    open(path);
    const link = join(dirname(path), `link-${basename(path)}`);
    symlinkSync(path, link);
    expect(isFleetError(refusal(link)) && (refusal(link) as { code: string }).code).toBe('conflict');
  });

  test('closing the store lets the file go', async () => {
    const path = freshDatabasePath();
    await open(path).close();
    const again = open(path);
    expect((await again.stats()).totals.ready).toBe(0);
  });
});
