import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';

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
  /**
   * As {@link darkenOpen}, and a close passes no more either: each side of the connections open now
   * keeps its session (a PostgreSQL backend stays, idle, with its locks) until it notices by itself.
   */
  partition(): void;
  /** New connections are closed at once (a server not up yet, a port nothing listens on) until {@link admit}. */
  refuse(): void;
  /** New connections go through again. */
  admit(): void;
  /** Stops listening and closes every connection, on both sides. */
  close(): void;
}

interface Forwarding {
  /** Forwards no byte. */
  dark: boolean;
  /** Passes no close to the other side. */
  partitioned: boolean;
  sockets: [Socket, Socket];
}

/** Starts a {@link DarkenableProxy} to the server of `target` on a free loopback port. */
export async function darkenableProxy(target: URL): Promise<DarkenableProxy> {
  let dark = false;
  let refusing = false;
  const open = new Set<Forwarding>();
  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    const state: Forwarding = { dark, partitioned: false, sockets: [client, upstream] };
    open.add(state);
    client.on('data', (bytes) => state.dark || upstream.write(bytes));
    upstream.on('data', (bytes) => state.dark || client.write(bytes));
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on('error', () => undefined);
      a.on('close', () => {
        if (state.partitioned) return;
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
    partition: () => {
      for (const state of open) {
        state.dark = true;
        state.partitioned = true;
      }
    },
    refuse: () => {
      refusing = true;
    },
    admit: () => {
      refusing = false;
    },
    close: () => {
      for (const state of open) for (const socket of state.sockets) socket.destroy();
      open.clear();
      server.close();
      server.unref();
    },
  };
}
