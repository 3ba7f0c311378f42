import { connect } from 'node:net';

/** A raw HTTP connection whose client reads nothing once the request is sent. */
export interface StalledReader {
  /** Resolves when the server has closed the connection. */
  readonly closed: Promise<void>;
  /** Whether the connection is closed. */
  isClosed(): boolean;
}

/**
 * Sends `GET path` to the server at `url` on a socket that is paused at once: the client takes
 * nothing, so the server's writes back up once the socket's buffers are full.
 *
 * A paused socket sees no end of stream (that is read like data), so the client sends an empty line
 * (which HTTP allows between requests) every `probeMs`: once the server has closed its end, that
 * is answered with a reset, which closes the client's socket too.
 */
export function openStalledReader(url: string, path: string, probeMs = 50): StalledReader {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => {});
  socket.pause();
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
  const probe = setInterval(() => {
    if (socket.writable) socket.write('\r\n');
  }, probeMs);
  let closed = false;
  const closedPromise = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true;
      clearInterval(probe);
      resolve();
    }),
  );
  return { closed: closedPromise, isClosed: () => closed };
}
