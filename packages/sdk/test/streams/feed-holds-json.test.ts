import { describe, expect, test } from 'vitest';
import type { MessageStore } from '../../src/bus/message-store.ts';
import { streamMessages } from '../../src/bus/message-stream.ts';
import type { Change, Message } from '../../src/index.ts';
import { watchChanges } from '../../src/stores/index.ts';
import { exposeGc } from '../client/_gc.ts';

const collect = exposeGc();

/** Collects garbage once the current job is over (a WeakRef keeps its target alive until then). */
async function gc(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  collect();
}

/** A message for `to` whose payload is `count` empty objects: some 14 times its JSON in memory. */
function message(n: number, count: number): Message {
  return {
    id: `m${n}`,
    from: 'a',
    to: 'b',
    topic: null,
    type: 'task',
    payload: Array.from({ length: count }, () => ({})),
    priority: 0,
    createdAt: new Date(0).toISOString(),
    availableAt: new Date(0).toISOString(),
    expiresAt: null,
    attempts: 0,
    idempotencyKey: null,
  };
}

function change(n: number, count: number): Change {
  return {
    seq: n,
    key: `k${n}`,
    value: Array.from({ length: count }, () => ({})),
    tags: [],
    source: 'node-a',
    version: `00176406720${String(n).padStart(4, '0')}-00000`,
    updatedAt: new Date(0).toISOString(),
    expiresAt: null,
    deleted: false,
  };
}

/** A source the test pushes to by hand. */
function manual<T>() {
  const listeners = new Set<(item: T) => void>();
  return {
    subscribe(listener: (item: T) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Pushes the item `make` builds, keeping only a weak reference to it. */
    push(make: () => T): WeakRef<T & object> {
      const item = make();
      for (const listener of listeners) listener(item);
      return new WeakRef(item as T & object);
    },
    listeners,
  };
}

describe('a feed holds what its reader has not taken as JSON bytes', () => {
  test('a bus stream keeps none of the messages it holds alive, and its reader still gets each whole', async () => {
    const source = manual<Message>();
    const store = { onMessage: source.subscribe } as unknown as MessageStore;
    const stream = streamMessages(store, 'b');
    const pushed = Array.from({ length: 5 }, (_, n) => source.push(() => message(n, 20_000)));
    await gc();
    expect(pushed.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    for (let n = 0; n < 5; n++) expect((await stream.next()).value).toEqual(message(n, 20_000));
    await stream.return();
  });

  test('a knowledge watch keeps none of the changes it holds alive, and its reader still gets each whole', async () => {
    const source = manual<Change>();
    const watch = watchChanges({ onChange: source.subscribe });
    const pushed = Array.from({ length: 5 }, (_, n) => source.push(() => change(n, 20_000)));
    await gc();
    expect(pushed.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    for (let n = 0; n < 5; n++) expect((await watch.next()).value).toEqual(change(n, 20_000));
    await watch.return();
  });

  test('a reader gets the very item pushed while something else keeps it', async () => {
    const source = manual<Change>();
    const watch = watchChanges({ onChange: source.subscribe });
    const kept = change(1, 1);
    source.push(() => kept);
    expect((await watch.next()).value).toBe(kept);
    await watch.return();
  });

  test('past its limit a feed drops what it held at once and stops listening: the next read is unavailable', async () => {
    const source = manual<Change>();
    const watch = watchChanges({ onChange: source.subscribe }, { maxBuffered: 2 });
    const kept = [change(1, 1), change(2, 1), change(3, 1)];
    for (const item of kept) source.push(() => item);
    expect(source.listeners.size).toBe(0);
    await expect(watch.next()).rejects.toMatchObject({ code: 'unavailable' });
    expect(await watch.next()).toEqual({ done: true, value: undefined });
  });
});
