import { type AddressInfo, connect, createServer, type Server } from 'node:net';

/** A TCP proxy (to PostgreSQL, an HTTP server...) whose connections can stop forwarding in both directions, silently. */
export interface DarkenableProxy {
  /** `target` with the proxy's address in place of the server's. */
  url: string;
  /** A network that went dark: no connection, open or new, forwards a byte again; none is closed. */
  darken(): void;
  /**
   * A path that died under the connections open now (a NAT or load balancer that forgot them):
   * they stop forwarding without being closed, while new connections go through.
   */
  darkenOpen(): void;
  close(): void;
}

/** Starts a {@link DarkenableProxy} to the server of `target` on a free loopback port. */
export async function darkenableProxy(target: URL): Promise<DarkenableProxy> {
  let dark = false;
  const open = new Set<{ dark: boolean }>();
  const server: Server = createServer((client) => {
    const state = { dark };
    open.add(state);
    const upstream = connect(Number(target.port), target.hostname);
    client.on('data', (bytes) => state.dark || upstream.write(bytes));
    upstream.on('data', (bytes) => state.dark || client.write(bytes));
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on('error', () => undefined);
      a.on('close', () => {
        open.delete(state);
        b.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    darken: () => {
      dark = true;
      for (const state of open) state.dark = true;
    },
    darkenOpen: () => {
      for (const state of open) state.dark = true;
    },
    close: () => {
      server.close();
      server.unref();
    },
  };
}
