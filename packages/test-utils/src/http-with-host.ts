import { request } from 'node:http';

/** An answer of {@link requestWithHost}: the status and the body parsed as JSON. */
export interface HostAnswer {
  status: number;
  body: { error?: { code: string; message: string; details?: unknown } } & Record<string, unknown>;
}

/**
 * One request to the server at `url` (its port, over 127.0.0.1) with `host` as the `Host` header,
 * which `fetch` does not let a caller set: what a page on a rebound domain sends.
 */
export function requestWithHost(
  url: string,
  path: string,
  host: string,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<HostAnswer> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: { ...init.headers, host } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
