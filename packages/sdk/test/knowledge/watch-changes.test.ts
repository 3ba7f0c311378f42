import { describe, expect, test } from 'vitest';
import { type Change, FleetError } from '../../src/index.ts';
import { type ChangeSource, watchChanges } from '../../src/stores/index.ts';

/** A change source the test drives by hand, counting its listeners. */
function manualSource() {
  const listeners = new Set<(change: Change) => void>();
  const source: ChangeSource = {
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const emit = (change: Change) => {
    for (const listener of listeners) listener(change);
  };
  return { source, listeners, emit };
}

function change(key: string, seq: number, value: Change['value'] = seq): Change {
  return {
    seq,
    key,
    value,
    tags: [],
    source: 'node-a',
    version: `00176406720${String(seq).padStart(4, '0')}-00000`,
    updatedAt: new Date(0).toISOString(),
    expiresAt: null,
    deleted: false,
  };
}

describe('watchChanges', () => {
  test('listens from the call on: a change made before the first next() is delivered', async () => {
    const { source, emit } = manualSource();
    const watch = watchChanges(source);
    emit(change('a', 1));
    expect((await watch.next()).value).toMatchObject({ key: 'a' });
    await watch.return();
  });

  test('only yields changes under the prefix, in order', async () => {
    const { source, emit } = manualSource();
    const controller = new AbortController();
    const watch = watchChanges(source, { prefix: 'hosts/', signal: controller.signal });
    emit(change('hosts/a', 1));
    emit(change('jobs/x', 2));
    emit(change('hosts/b', 3));
    const keys: string[] = [];
    for await (const item of watch) {
      keys.push(item.key);
      if (keys.length === 2) controller.abort();
    }
    expect(keys).toEqual(['hosts/a', 'hosts/b']);
  });

  test('an abort ends a waiting iteration and stops listening, even if it never started', async () => {
    const { source, listeners } = manualSource();
    const controller = new AbortController();
    const waiting = watchChanges(source, { signal: controller.signal });
    const next = waiting.next();
    watchChanges(source, { signal: controller.signal });
    expect(listeners.size).toBe(2);
    controller.abort();
    expect(await next).toEqual({ done: true, value: undefined });
    expect(listeners.size).toBe(0);
  });

  test('a reader that falls behind has what was buffered dropped at once, then gets unavailable', async () => {
    const { source, emit, listeners } = manualSource();
    const watch = watchChanges(source, { maxBuffered: 2 });
    for (let seq = 1; seq <= 3; seq++) emit(change(`k${seq}`, seq));
    expect(listeners.size).toBe(0);
    const error = await watch.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FleetError);
    expect(error).toMatchObject({ code: 'unavailable' });
    expect(await watch.next()).toEqual({ done: true, value: undefined });
  });

  test('a reader that falls 16 MiB of changes behind gets unavailable, far under 10,000 changes', async () => {
    const { source, emit, listeners } = manualSource();
    const watch = watchChanges(source);
    const large = 'x'.repeat(200_000); // some 200,200 bytes as JSON with the change around it: 83 fit in 16 MiB
    for (let seq = 1; seq <= 83; seq++) emit(change(`k${seq}`, seq, large));
    expect(listeners.size).toBe(1);
    expect((await watch.next()).value).toMatchObject({ key: 'k1' });
    emit(change('k84', 84, large));
    expect(listeners.size).toBe(1);
    emit(change('k85', 85, large));
    expect(listeners.size).toBe(0);
    await expect(watch.next()).rejects.toMatchObject({
      code: 'unavailable',
      message: 'watch of "" fell more than 16777216 bytes behind',
    });
  });

  test('after a dropped change no later one is delivered, even once the buffer has room again', async () => {
    const { source, emit } = manualSource();
    const watch = watchChanges(source, { maxBuffered: 2 });
    for (let seq = 1; seq <= 2; seq++) emit(change(`k${seq}`, seq));
    expect((await watch.next()).value).toMatchObject({ key: 'k1' });
    emit(change('k3', 3));
    emit(change('k4', 4)); // past the limit
    emit(change('k5', 5));
    await expect(watch.next()).rejects.toMatchObject({ code: 'unavailable' });
  });

  test('a change larger than maxBufferedBytes is still delivered when nothing else is buffered', async () => {
    const { source, emit } = manualSource();
    const watch = watchChanges(source, { maxBufferedBytes: 10 });
    emit(change('big', 1, 'x'.repeat(100)));
    expect((await watch.next()).value).toMatchObject({ key: 'big' });
    emit(change('alone', 2, 'abc'));
    expect((await watch.next()).value).toMatchObject({ key: 'alone' });
    emit(change('first', 3, 'abc'));
    emit(change('over', 4, 'abc'));
    await expect(watch.next()).rejects.toMatchObject({ code: 'unavailable' });
  });
});
