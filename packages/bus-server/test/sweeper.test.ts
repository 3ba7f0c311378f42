import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryMessageStore } from '@fleet/sdk/stores';
import { expect, test } from 'vitest';
import { createBusServer, startBusServer } from '../src/server.ts';

/** A real memory store whose sweeps wait for the test to let them finish. */
class GatedSweepStore extends MemoryMessageStore {
  readonly events: string[] = [];
  sweepStarted!: Promise<void>;
  #started!: () => void;
  #release: (() => void) | undefined;

  constructor() {
    super();
    this.sweepStarted = new Promise((resolve) => {
      this.#started = resolve;
    });
  }

  override async sweep(): Promise<void> {
    this.events.push('sweep started');
    this.#started();
    await new Promise<void>((resolve) => {
      this.#release = resolve;
    });
    await super.sweep();
    this.events.push('sweep finished');
  }

  releaseSweep(): void {
    this.#release?.();
  }

  override async close(): Promise<void> {
    this.events.push('store closed');
    await super.close();
  }
}

test('closing the server lets a running sweep finish before it closes the store', async () => {
  const store = new GatedSweepStore();
  const server = createBusServer({ store });
  await server.listen({ port: 0 });
  await store.sweepStarted;
  const closed = server.close();
  // Closing waits for the sweep: the store is still open.
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(store.events).toEqual(['sweep started']);
  store.releaseSweep();
  await closed;
  expect(store.events).toEqual(['sweep started', 'sweep finished', 'store closed']);
});

test('options the server refuses leave no sweeper running and close the store opened for them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bus-refused-'));
  try {
    const db = join(dir, 'bus.db');
    await expect(startBusServer({ port: 0, db, bodyLimitBytes: -1 })).rejects.toThrow(/bodyLimitBytes/);
    // SQLite removes the WAL when the file's last connection closes: a store left open keeps it.
    expect(existsSync(`${db}-wal`)).toBe(false);

    const store = new GatedSweepStore();
    expect(() => createBusServer({ store, bodyLimitBytes: -1 })).toThrow(/bodyLimitBytes/);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(store.events).toEqual([]); // no sweep ran: the timer was never started
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
