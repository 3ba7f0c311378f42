import { describe, expect, test } from 'vitest';
import { RunningParts } from '../src/up/internal/running-parts.ts';

/** A `close()` that fails with `message`. */
const failing = (message: string) => async () => {
  throw new Error(message);
};

describe('RunningParts', () => {
  test('stops every part, the last started first', async () => {
    const parts = new RunningParts();
    const stopped: string[] = [];
    for (const name of ['bus', 'knowledge', 'dashboard']) {
      await parts.start(async () => ({ close: async () => void stopped.push(name) }));
    }
    await parts.stopAll();
    expect(stopped).toEqual(['dashboard', 'knowledge', 'bus']);
    await parts.stopAll(); // nothing left to stop
    expect(stopped).toHaveLength(3);
  });

  test('a part that fails to stop does not keep the others running; its error comes after all stopped', async () => {
    const parts = new RunningParts();
    const stopped: string[] = [];
    await parts.start(async () => ({ close: async () => void stopped.push('bus') }));
    await parts.start(async () => ({ close: failing('knowledge: database is locked') }));
    await parts.start(async () => ({ close: async () => void stopped.push('dashboard') }));
    await expect(parts.stopAll()).rejects.toThrow('knowledge: database is locked');
    expect(stopped).toEqual(['dashboard', 'bus']);
  });

  test('several failures are all reported, in stop order', async () => {
    const parts = new RunningParts();
    await parts.start(async () => ({ close: failing('bus failed') }));
    await parts.start(async () => ({ close: failing('dashboard failed') }));
    const error = await parts.stopAll().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).message).toBe('2 parts failed to stop: dashboard failed; bus failed');
    expect((error as AggregateError).errors.map((e: Error) => e.message)).toEqual(['dashboard failed', 'bus failed']);
  });

  test('a part that cannot start stops the running ones and throws its own error, not a failure to stop', async () => {
    const stopErrors: unknown[] = [];
    const parts = new RunningParts((error) => stopErrors.push(error));
    const stopped: string[] = [];
    await parts.start(async () => ({ close: async () => void stopped.push('bus') }));
    await parts.start(async () => ({ close: failing('knowledge: database is locked') }));
    await expect(
      parts.start(async () => {
        throw new Error('Port 8652 on 127.0.0.1 is already in use');
      }),
    ).rejects.toThrow('Port 8652 on 127.0.0.1 is already in use');
    expect(stopped).toEqual(['bus']);
    expect(stopErrors.map((error) => (error as Error).message)).toEqual(['knowledge: database is locked']);
  });
});
