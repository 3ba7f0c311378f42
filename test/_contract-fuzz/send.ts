import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/** One request as it goes on the wire: the path is sent as it is (no URL normalization). */
export interface FuzzRequest {
  /** What the request is, e.g. `valid: the contract's example` or `broken: body.key missing`. */
  label: string;
  method: string;
  /** Path and query string, percent-encoded as intended. */
  target: string;
  headers: Record<string, string>;
  /** The raw body text; sent chunked (no `content-length`) when `chunked`. */
  body?: string;
  chunked?: boolean;
}

/** What came back. An event stream is cut after its headers: its body stays empty. */
export interface FuzzAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** How long one request may take before it is reported as hanging (a long poll would be a bug here). */
const HANG_MS = 15_000;

/** Sends `request` to the server at `base` over node:http, exactly as built. */
export function send(base: string, request: FuzzRequest): Promise<FuzzAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.target,
        headers: request.headers,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (String(res.headers['content-type']).startsWith('text/event-stream') && status < 300) {
          res.destroy();
          resolve({ status, headers: res.headers, text: '' });
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(HANG_MS, () => req.destroy(new Error(`no answer within ${HANG_MS} ms`)));
    req.on('error', reject);
    if (request.body === undefined) {
      req.end();
    } else if (request.chunked) {
      // Several writes without a content-length: the body arrives chunked, its size unknown up front.
      const step = 64 * 1024;
      for (let at = 0; at < request.body.length; at += step) req.write(request.body.slice(at, at + step));
      req.end();
    } else {
      req.setHeader('content-length', Buffer.byteLength(request.body));
      req.end(request.body);
    }
  });
}

/** The request and its answer as the failure report prints them. */
export function describeExchange(request: FuzzRequest, answer: FuzzAnswer | Error): string {
  const lines = [`${request.label}`, `  ${request.method} ${shorten(request.target)}`];
  for (const [name, value] of Object.entries(request.headers)) lines.push(`  ${name}: ${value}`);
  if (request.body !== undefined)
    lines.push(`  body (${request.body.length} chars${request.chunked ? ', chunked' : ''}): ${shorten(request.body)}`);
  if (answer instanceof Error) lines.push(`  -> ${answer.message}`);
  else lines.push(`  -> ${answer.status} ${answer.headers['content-type'] ?? ''} ${shorten(answer.text)}`);
  return lines.join('\n');
}

function shorten(text: string): string {
  return text.length <= 300 ? text : `${text.slice(0, 200)}…(${text.length - 280} more)…${text.slice(-80)}`;
}
