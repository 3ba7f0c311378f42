import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIPv4 } from 'node:net';
import { FleetServerStartError } from '../start-error.ts';
import { answerClientError } from './internal/client-error.ts';
import { ClosingServerResponse } from './internal/closing-response.ts';
import { expectContinue } from './internal/expect-continue.ts';

/** Where {@link FleetServer.listen} binds. */
export interface ListenOptions {
  /** Address to bind. @default '127.0.0.1' */
  host?: string;
  /** Port to bind; `0` picks a free one. @default 0 */
  port?: number;
  /** Allow binding a non-loopback address without any token configured. @default false */
  insecure?: boolean;
}

/** Where a server ended up listening. */
export interface ListenAddress {
  /** Base URL, e.g. `http://127.0.0.1:8650`. */
  url: string;
  /** The host as requested. */
  host: string;
  /** The bound port (the real one when `0` was asked for). */
  port: number;
}

/**
 * True for addresses only this machine can reach: `localhost`, `127.0.0.0/8` and `::1`
 * (also in brackets or IPv4-mapped). `0.0.0.0`, `::` and every other address are not.
 */
export function isLoopbackHost(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (h.startsWith('::ffff:')) h = h.slice(7);
  return isIPv4(h) && h.startsWith('127.');
}

/** A listening node:http server that can be stopped gracefully. */
export interface NodeListener {
  readonly address: ListenAddress;
  /** Stops accepting, closes connections as they go idle, destroys what is left at `deadline` (epoch ms). */
  stop(deadline: number): Promise<void>;
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

/** What node:http bounds for every request of one server. */
export interface NodeLimits {
  /** Largest body, in bytes: an `Expect: 100-continue` request declaring more is refused at once. */
  bodyLimitBytes: number;
  /** How long a request may take to arrive whole, headers and body, in ms (408 after). */
  requestTimeoutMs: number;
  /** How long its request line and headers may take, in ms (408 after); at most `requestTimeoutMs`. */
  headersTimeoutMs: number;
}

/** How often node:http looks for requests past their timeouts, in ms (its default, 30 s, would add up to that). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/** Checks the bind is safe, then listens; every failure is a {@link FleetServerStartError}. */
export async function listenNode(
  handler: NodeHandler,
  options: ListenOptions,
  hasTokens: boolean,
  limits: NodeLimits,
  onForcedClose: (open: number) => void,
): Promise<NodeListener> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!hasTokens && !isLoopbackHost(host) && options.insecure !== true) {
    throw new FleetServerStartError(
      `Refusing to listen on ${host} without a bearer token: anyone who can reach it could read and send messages. ` +
        'Configure a token (--token), bind a loopback address (127.0.0.1), ' +
        'or pass --insecure (option insecure: true) to accept the risk.',
    );
  }

  let stopping = false;
  let open = 0;
  let server: Server;
  // Once no response is open, every connection left is idle or has not sent a request yet (clients
  // open spare connections; Node does not count those as idle), so all of them can go.
  const sweep = () => {
    if (open === 0) server.closeAllConnections();
    else server.closeIdleConnections();
  };
  function onResponseClose() {
    open--;
    if (stopping) setImmediate(sweep);
  }
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    open++;
    res.once('close', onResponseClose);
    if (stopping) res.shouldKeepAlive = false;
    handler(req, res);
  };
  server = createServer(
    {
      ServerResponse: ClosingServerResponse,
      // Counted until the request has fully arrived: a long poll or a stream it answers is not cut.
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, limits.headersTimeoutMs),
    },
    onRequest,
  );
  server.on('checkContinue', expectContinue(limits.bodyLimitBytes, onRequest));
  server.on('clientError', answerClientError);

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        new FleetServerStartError(
          error.code === 'EADDRINUSE'
            ? `Port ${port} on ${host} is already in use`
            : `Could not listen on ${host}:${port}: ${error.message}`,
          { cause: error },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });

  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    address: { url: `http://${urlHost}:${bound}`, host, port: bound },
    async stop(deadline) {
      if (stopping) return;
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      sweep();
      const timer = setTimeout(
        () => {
          if (open > 0) onForcedClose(open);
          server.closeAllConnections();
        },
        Math.max(0, deadline - Date.now()),
      );
      await closed;
      clearTimeout(timer);
    },
  };
}
