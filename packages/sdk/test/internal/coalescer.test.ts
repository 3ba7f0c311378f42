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

  test('an item that waited maxWaitMs in line fails with waitedTooLong, never run; the batch it waited for still settles', async () => {
    const runner = gatedRunner<number>();
    const coalescer = new Coalescer({
      run: runner.run,
      maxInFlight: 1,
      maxItems: 10,
      maxWaitMs: 30,
      waitedTooLong: () => new Error('no turn in time'),
    });
    const first = coalescer.submit(1);
    const waiting = [2, 3].map((n) => coalescer.submit(n));
    const started = performance.now();
    await expect(Promise.all(waiting)).rejects.toThrow('no turn in time');
    // Between 3/4 of maxWaitMs and all of it (plus the timer's lateness on a busy machine).
    expect(performance.now() - started).toBeGreaterThanOrEqual(20);
    expect(performance.now() - started).toBeLessThan(1000);
    const late = coalescer.submit(4);
    await runner.releaseNext();
    expect(await first).toBe('done 1');
    // 2 and 3 never reached `run`; 4 came after the expiry and runs.
    expect(runner.batches).toEqual([[1], [4]]);
    await runner.releaseNext();
    expect(await late).toBe('done 4');
  });

  test('items waiting behind a slow batch while a slot is free start in it, not fail: a slow statement is no outage', async () => {
    const runner = gatedRunner<number>();
    const coalescer = new Coalescer({
      run: runner.run,
      maxInFlight: 2,
      maxItems: 64,
      maxWaitMs: 80,
      waitedTooLong: () => new Error('no turn in time'),
    });
    const slow = coalescer.submit(1);
    const behind = [2, 3].map((n) => coalescer.submit(n));
    // Too few to fill a batch: they wait for the running one, until it is plainly slow.
    expect(runner.batches).toEqual([[1]]);
    const started = performance.now();
    while (runner.batches.length < 2 && performance.now() - started < 2000) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(runner.batches).toEqual([[1], [2, 3]]);
    // Started before their wait ran out (3/4 of maxWaitMs at the earliest), on the free slot.
    expect(performance.now() - started).toBeLessThan(60 + 500);
    await runner.releaseNext();
    await runner.releaseNext();
    expect(await slow).toBe('done 1');
    expect(await Promise.all(behind)).toEqual(['done 2', 'done 3']);
  });

  test('every waiting item expires in time, whatever its place in line and when it came (one timer for all)', async () => {
    const runner = gatedRunner<number>();
    const coalescer = new Coalescer({ run: runner.run, maxInFlight: 1, maxItems: 2, maxWaitMs: 40 });
    void coalescer.submit(0);
    const answered: number[] = [];
    const started = performance.now();
    const waits = Array.from({ length: 50 }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, i % 5));
      await coalescer.submit(i + 1).catch(() => undefined);
      answered.push(performance.now() - started);
    });
    await Promise.all(waits);
    expect(answered).toHaveLength(50);
    expect(Math.max(...answered)).toBeLessThan(40 + 4 + 500);
    expect(runner.batches).toEqual([[0]]);
    await runner.releaseNext();
  });

  test('a batch whose error failsWaiting fails the items waiting behind it at once, never run; later items run', async () => {
    const runner = gatedRunner<number>();
    const unreachable = new Error('unreachable');
    let fail = true;
    const coalescer = new Coalescer<number, string>({
      run: async (items) => {
        const outcomes = await runner.run(items);
        if (fail) throw unreachable;
        return outcomes;
      },
      maxInFlight: 1,
      maxItems: 2,
      failsWaiting: (error) => error === unreachable,
    });
    const all = Promise.allSettled([1, 2, 3, 4, 5].map((n) => coalescer.submit(n)));
    await runner.releaseNext();
    const settled = await all;
    expect(settled.map((s) => (s.status === 'rejected' ? s.reason : s.value))).toEqual(Array(5).fill(unreachable));
    // Only the first batch ran: the others did not go one after another into the same wall.
    expect(runner.batches).toEqual([[1]]);
    fail = false;
    const next = coalescer.submit(6);
    await runner.releaseNext();
    expect(await next).toBe('done 6');
  });

  test('a batch whose error does not failsWaiting leaves the items waiting to run', async () => {
    const coalescer = new Coalescer<number, number>({
      run: async (items) => {
        await new Promise((resolve) => setImmediate(resolve));
        if (items.includes(1)) throw new Error('bad batch');
        return items.map((value) => ({ value }));
      },
      maxInFlight: 1,
      maxItems: 10,
      failsWaiting: () => false,
    });
    const settled = await Promise.allSettled([1, 2, 3].map((n) => coalescer.submit(n)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
  });
});
