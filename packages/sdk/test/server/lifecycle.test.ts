import { once } from 'node:events';
import { connect } from 'node:net';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createFleetServer, FleetServerStartError, isLoopbackHost } from '../../src/server/index.ts';
import { createProbe, type Harness, modes, startToy, toyImplementations } from './_toy.ts';

describe.each(modes)('/health (%s)', (mode) => {
  let toy: Harness;
  afterEach(() => toy.close());

  test('answers without auth with service, version, uptime and the extra details', async () => {
    toy = await startToy(mode, { tokens: ['t'], health: async () => ({ storage: 'sqlite' }) });
    const response = await toy.request('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      service: 'toy',
      version: '1.2.3',
      uptimeSeconds: expect.any(Number),
      details: { storage: 'sqlite' },
    });
  });

  test('a failing health callback is 503 unavailable', async () => {
    toy = await startToy(mode, {
      health: () => {
        throw new Error('disk gone');
      },
    });
    const response = await toy.request('/health');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: 'unavailable' } });
  });
});

describe.each(modes)('close() (%s)', (mode) => {
  test('waits for an in-flight request to finish, then runs onClose; the request signal aborts', async () => {
    let toy: Harness | undefined;
    toy = await startToy(mode, { onClose: () => void toy?.probe.events.push('onClose') });
    const pending = toy.request('/slow');
    const signal = await toy.probe.slowStarted.promise;
    expect(signal.aborted).toBe(false);

    const closing = toy.close();
    expect(signal.aborted).toBe(true);
    // Give the close every chance to run ahead of the request it must wait for.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(toy.probe.events).toEqual([]);

    toy.probe.slowRelease.resolve();
    const response = await pending;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    await closing;
    expect(toy.probe.events).toEqual(['slow handler done', 'onClose']);
  });

  test('is idempotent and refuses new requests afterwards', async () => {
    let closes = 0;
    const toy = await startToy(mode, { onClose: () => void closes++ });
    await Promise.all([toy.close(), toy.close()]);
    await toy.close();
    expect(closes).toBe(1);
    if (mode === 'http') {
      await expect(toy.request('/health')).rejects.toThrow();
    } else {
      const response = await toy.request('/health');
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: { code: 'unavailable' } });
    }
  });
});

describe('close() with idle connections', () => {
  test('closes keep-alive connections and connections that never sent a request', async () => {
    const toy = await startToy('http', { shutdownTimeoutMs: 120_000 });
    for (let i = 0; i < 3; i++) expect((await toy.request('/health')).status).toBe(200);
    // Node only drops a silent connection after its headers timeout (a minute): close() must not wait for it.
    const { port } = new URL(toy.url);
    const silent = connect(Number(port), '127.0.0.1');
    await once(silent, 'connect');
    const silentClosed = once(silent, 'close');
    await toy.close();
    await silentClosed;
  });
});

describe('listen()', () => {
  function server(tokens?: string[]) {
    return createFleetServer({
      service: 'toy',
      version: '0',
      routes: toyImplementations(createProbe()),
      ...(tokens ? { tokens } : {}),
    });
  }

  test('defaults to 127.0.0.1 and reports the port picked for port 0', async () => {
    const toy = server();
    const address = await toy.listen();
    try {
      expect(address.host).toBe('127.0.0.1');
      expect(address.port).toBeGreaterThan(0);
      expect(address.url).toBe(`http://127.0.0.1:${address.port}`);
      expect((await fetch(`${address.url}/health`)).status).toBe(200);
    } finally {
      await toy.close();
    }
  });

  test('refuses a non-loopback address without tokens unless insecure', async () => {
    const open = server();
    await expect(open.listen({ host: '0.0.0.0', port: 0 })).rejects.toThrow(FleetServerStartError);
    await expect(open.listen({ host: '0.0.0.0', port: 0 })).rejects.toThrow(
      /token.*pass --insecure \(option insecure: true\)/,
    );
    await open.listen({ host: '0.0.0.0', port: 0, insecure: true });
    await open.close();

    const secured = server(['t']);
    await secured.listen({ host: '0.0.0.0', port: 0 });
    await secured.close();
  });

  test('a port in use is a FleetServerStartError saying so', async () => {
    const first = server();
    const { port } = await first.listen({ port: 0 });
    const second = server();
    try {
      await expect(second.listen({ port })).rejects.toThrow(/already in use/);
    } finally {
      await first.close();
      await second.close();
    }
  });

  test('refuses to listen twice or after close', async () => {
    const toy = server();
    await toy.listen();
    await expect(toy.listen()).rejects.toThrow(/already listening/);
    await toy.close();
    await expect(toy.listen()).rejects.toThrow(/closed/);
  });

  test.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['', false],
    ['10.0.0.5', false],
    ['128.0.0.1', false],
    ['example.com', false],
  ])('isLoopbackHost(%j) is %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('closeOnSignals()', () => {
  test('SIGTERM closes the server, then exits 0', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const exited = new Promise<unknown>((resolve) =>
      exit.mockImplementation(((code: unknown) => resolve(code)) as never),
    );
    let closed = false;
    const toy = createFleetServer({
      service: 'toy',
      version: '0',
      routes: [],
      onClose: () => {
        closed = true;
      },
    });
    try {
      await toy.listen();
      toy.closeOnSignals();
      toy.closeOnSignals();
      expect(process.listenerCount('SIGTERM')).toBe(1);
      process.emit('SIGTERM', 'SIGTERM');
      expect(await exited).toBe(0);
      expect(closed).toBe(true);
      expect(process.listenerCount('SIGINT')).toBe(1);
    } finally {
      process.removeAllListeners('SIGINT');
      exit.mockRestore();
    }
  });
});
