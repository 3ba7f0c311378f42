import { describe, expect, test } from 'vitest';
import { Coalescer, type ItemOutcome } from '../../src/internal/coalescer.ts';

/** A batch runner whose batches stay open until released, recording what each batch held. */
function gatedRunner<I>(outcome: (item: I) => ItemOutcome<string> = (item) => ({ value: `done ${String(item)}` })) {
  const batches: I[][] = [];
  const gates: (() => void)[] = [];
  const run = async (items: I[]) => {
    batches.push(items);
    await new Promise<void>((resolve) => gates.push(resolve));
    return items.map(outcome);
  };
  const releaseNext = async () => {
    gates.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { batches, run, releaseNext, open: () => gates.length };
}

describe('Coalescer', () => {
  test('an item submitted while nothing runs goes alone at once; items arriving meanwhile go together next', async () => {
    const runner = gatedRunner<number>();
    const coalescer = new Coalescer({ run: runner.run, maxInFlight: 2, maxItems: 10 });
    const first = coalescer.submit(1);
    const rest = [2, 3, 4].map((n) => coalescer.submit(n));
    expect(runner.batches).toEqual([[1]]);
    await runner.releaseNext();
    expect(await first).toBe('done 1');
    expect(runner.batches).toEqual([[1], [2, 3, 4]]);
    await runner.releaseNext();
    expect(await Promise.all(rest)).toEqual(['done 2', 'done 3', 'done 4']);
  });

  test('a second batch runs beside the first only when the waiting items fill one', async () => {
    const runner = gatedRunner<number>();
    const coalescer = new Coalescer({ run: runner.run, maxInFlight: 2, maxItems: 3 });
    const all = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => coalescer.submit(n));
    // 1 alone; 2-4 fill a batch, so it starts beside it; 5-8 wait: both slots are busy.
    expect(runner.batches).toEqual([[1], [2, 3, 4]]);
    await runner.releaseNext();
    // A slot freed and 5-7 fill a batch; 8 alone does not start a second one while 5-7 run.
    expect(runner.batches).toEqual([[1], [2, 3, 4], [5, 6, 7]]);
    await runner.releaseNext();
    await runner.releaseNext();
    expect(runner.batches.at(-1)).toEqual([8]);
    await runner.releaseNext();
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => `done ${n}`));
  });

  test('an item that may not join waits, in its place in line, for a later batch', async () => {
    const runner = gatedRunner<string>();
    const coalescer = new Coalescer({
      run: runner.run,
      maxInFlight: 1,
      maxItems: 10,
      // One item per letter in a batch.
      canJoin: (batch, item) => batch.every((b) => b[0] !== item[0]),
    });
    const all = ['x0', 'a1', 'b1', 'a2', 'c1', 'a3'].map((item) => coalescer.submit(item));
    for (let i = 0; i < 4; i++) await runner.releaseNext();
    await Promise.all(all);
    expect(runner.batches).toEqual([['x0'], ['a1', 'b1', 'c1'], ['a2'], ['a3']]);
  });

  test('while a batch is gathered, canJoin sees one array that only grows by the items it admitted', async () => {
    const runner = gatedRunner<string>();
    const seen: Array<{ batch: readonly string[]; snapshot: string[] }> = [];
    const coalescer = new Coalescer({
      run: runner.run,
      maxInFlight: 1,
      maxItems: 10,
      canJoin: (batch, item) => {
        seen.push({ batch, snapshot: [...batch] });
        return batch.every((b) => b[0] !== item[0]);
      },
    });
    const all = ['x0', 'a1', 'b1', 'a2', 'c1', 'a3'].map((item) => coalescer.submit(item));
    for (let i = 0; i < 4; i++) await runner.releaseNext();
    await Promise.all(all);
    // Per batch (one array), each call saw what the previous one saw plus what it admitted.
    const byBatch = new Map<readonly string[], string[][]>();
    for (const { batch, snapshot } of seen) byBatch.set(batch, [...(byBatch.get(batch) ?? []), snapshot]);
    for (const [batch, snapshots] of byBatch) {
      snapshots.forEach((snapshot, i) => {
        expect(batch.slice(0, snapshot.length)).toEqual(snapshot);
        if (i > 0) expect(snapshot.slice(0, snapshots[i - 1]!.length)).toEqual(snapshots[i - 1]);
      });
    }
    expect(byBatch.size).toBe(2); // ['a1', ...] and the batch that started with 'a2' (the others had no candidate)
  });

  test('each item settles with its own outcome; a batch that throws fails all of its items', async () => {
    const coalescer = new Coalescer<number, string>({
      run: async (items) => {
        if (items.includes(13)) throw new Error('unlucky batch');
        return items.map((n) => (n % 2 === 0 ? { value: `even ${n}` } : { error: new Error(`odd ${n}`) }));
      },
      maxInFlight: 1,
      maxItems: 10,
    });
    await expect(coalescer.submit(2)).resolves.toBe('even 2');
    await expect(coalescer.submit(3)).rejects.toThrow('odd 3');
    const together = [coalescer.submit(1), coalescer.submit(13), coalescer.submit(4)];
    const settled = await Promise.allSettled(together);
    // 1 ran alone (odd); 13 and 4 ran together and failed together.
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([
      'odd 1',
      'unlucky batch',
      'unlucky batch',
    ]);
    // The coalescer goes on after a failed batch.
    await expect(coalescer.submit(6)).resolves.toBe('even 6');
  });
});
