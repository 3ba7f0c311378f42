import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Health } from '../../schemas/health.ts';
import { FleetServerStartError } from '../../start-error.ts';

/** A listening `GET /health` endpoint. */
export interface HealthServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Serves `GET /health` with what `health()` returns, and the Fleet error envelope for anything
 * else. Plain node:http: the main SDK entry must not load h3.
 */
export async function listenHealth(host: string, port: number, health: () => Health): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/health') {
      send(res, 404, { error: { code: 'route_not_found', message: `No route ${req.method} ${path}` } });
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { error: { code: 'method_not_allowed', message: `${req.method} ${path} is not allowed` } });
    } else {
      send(res, 200, health());
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const message =
        error.code === 'EADDRINUSE'
          ? `Port ${port} on ${host} is already in use`
          : `Could not listen on ${host}:${port}: ${error.message}`;
      reject(new FleetServerStartError(message, { cause: error }));
    });
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Monitors keep connections alive between probes: do not wait for them to time out.
        server.closeAllConnections();
      }),
  };
}
