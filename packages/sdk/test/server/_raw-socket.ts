import { connect, type Socket } from 'node:net';

/** A raw TCP connection to a test server: what it received so far, and whether the server closed it. */
export interface RawConnection {
  readonly socket: Socket;
  /** Everything received so far, as Latin-1 text (the head of an answer is ASCII). */
  received(): string;
  /** Resolves once `text` has been received `times` times (rejects when the connection closes first). */
  waitFor(text: string, times?: number): Promise<string>;
  /** Resolves once the connection is closed (by either side, a reset included). */
  readonly closed: Promise<void>;
  /** Whether the connection is closed. */
  isClosed(): boolean;
}

/** Opens a raw connection to `url` (`http://127.0.0.1:port`). */
export function openRaw(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    let closed = false;
    const waiters = new Set<() => void>();
    const wake = () => {
      for (const waiter of waiters) waiter();
    };
    // A server that closes on an unread body may reset the connection: that is a close too.
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      wake();
    });
    const closedPromise = new Promise<void>((resolveClosed) => {
      socket.once('close', () => {
        closed = true;
        wake();
        resolveClosed();
      });
    });
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => text,
        closed: closedPromise,
        isClosed: () => closed,
        waitFor: (wanted, times = 1) =>
          new Promise((resolveText, rejectText) => {
            const check = () => {
              if (text.split(wanted).length > times) {
                waiters.delete(check);
                resolveText(text);
              } else if (closed) {
                waiters.delete(check);
                rejectText(
                  new Error(`connection closed before ${JSON.stringify(wanted)}; got ${JSON.stringify(text)}`),
                );
              }
            };
            waiters.add(check);
            check();
          }),
      }),
    );
    socket.once('error', reject);
  });
}

/**
 * Writes body bytes, 64 KiB at a time (as chunks of a chunked body when `chunked`), until the
 * connection closes; resolves with the bytes written.
 */
export async function sendUntilClosed(connection: RawConnection, chunked: boolean): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const frame = chunked
    ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
    : chunk;
  let sent = 0;
  while (!connection.isClosed()) {
    const flushed = connection.socket.write(frame);
    sent += chunk.length;
    if (!flushed) {
      await new Promise<void>((resolve) => {
        const done = () => {
          connection.socket.off('drain', done);
          connection.socket.off('close', done);
          resolve();
        };
        connection.socket.once('drain', done).once('close', done);
      });
    }
  }
  return sent;
}

/** The head of the first answer in `text`: status line and headers, lower-cased names. */
export function headOf(text: string): { status: number; headers: Record<string, string> } {
  const end = text.indexOf('\r\n\r\n');
  const lines = text.slice(0, end === -1 ? text.length : end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(lines[0]?.split(' ')[1]), headers };
}
