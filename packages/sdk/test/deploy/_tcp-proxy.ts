import { connect, createServer, type Socket } from 'node:net';

/** A TCP proxy on 127.0.0.1 in front of one address, whose connections a test can cut. */
export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  port: number;
  /** Bytes sent by clients so far, over every connection. */
  readonly bytesFromClients: number;
  /** Destroys every connection now, both sides, as a dropped network path would end them. */
  cut(): void;
  /** Calls {@link cut} as soon as clients have sent `bytes` more bytes than they have by now. */
  cutAfterClientBytes(bytes: number): void;
  /** Stops listening and destroys every connection. */
  close(): Promise<void>;
}

/** Starts a {@link TcpProxy} to `address:port`. */
export async function startTcpProxy(address: string, port: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let bytesFromClients = 0;
  let cutAt = Number.POSITIVE_INFINITY;
  const cut = (): void => {
    cutAt = Number.POSITIVE_INFINITY;
    for (const [client, upstream] of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  const server = createServer((client) => {
    const upstream = connect(port, address);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      bytesFromClients += chunk.length;
      if (bytesFromClients >= cutAt) cut();
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address_ = server.address();
  if (address_ === null || typeof address_ === 'string') throw new Error('the proxy has no TCP port');
  return {
    port: address_.port,
    get bytesFromClients() {
      return bytesFromClients;
    },
    cut,
    cutAfterClientBytes(bytes) {
      cutAt = bytesFromClients + bytes;
    },
    close() {
      cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
