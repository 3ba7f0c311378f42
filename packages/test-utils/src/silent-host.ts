import { createServer, type Socket } from 'node:net';

/** A loopback server that accepts connections and never sends a byte (a hung sshd, a tarpit). */
export interface SilentHost {
  port: number;
  /** Resolves with the first connection it accepts. */
  connected: Promise<Socket>;
  /** Resolves when that first connection has closed (the client gave up or hung up). */
  closed: Promise<void>;
  /** Stops listening and drops its connections. */
  close(): Promise<void>;
}

/** Starts a {@link SilentHost} on a free loopback port. */
export async function startSilentHost(): Promise<SilentHost> {
  const sockets = new Set<Socket>();
  let accept!: (socket: Socket) => void;
  const connected = new Promise<Socket>((resolve) => {
    accept = resolve;
  });
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    accept(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return {
    port: address.port,
    connected,
    closed: connected.then((socket) =>
      socket.destroyed ? undefined : new Promise<void>((resolve) => socket.once('close', () => resolve())),
    ),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
