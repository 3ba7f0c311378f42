import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { hasSystemCommand } from '@fleet/test-utils/system-deps';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { curlCommand, type ExampleRequest, exampleRequest } from '../scripts/http-api/example-request.ts';
import { type ReferenceServers, startReferenceServers } from '../scripts/http-api/reference-servers.ts';
import { renderHttpApiReference } from '../scripts/http-api/render-markdown.ts';
import { undescribedFields } from '../scripts/http-api/route-fields.ts';

const REFERENCE = fileURLToPath(new URL('../docs/http-api.md', import.meta.url));
/** `npm run docs:api` sets it: write the reference instead of comparing. */
const WRITE = process.env.FLEET_WRITE_API_DOCS === '1';

/** Codes that mean a request is not one the route accepts. */
const REFUSED = new Set(['validation_failed', 'invalid_json', 'unsupported_media_type', 'payload_too_large']);
/** The example's headers, a signature header signing its body with `secret`. */
function headersOf(request: ExampleRequest, secret: string | undefined): Record<string, string> {
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
  for (const header of request.headers) {
    headers[header.name] =
      header.hmacSha256Prefix === undefined
        ? header.value
        : header.hmacSha256Prefix +
          createHmac('sha256', secret ?? '')
            .update(body ?? '')
            .digest('hex');
  }
  return headers;
}

/** Input is checked before a handler runs: a request still waiting after this long (a long poll) passed. */
const ANSWER_WITHIN_MS = 1000;

describe('docs/http-api.md', () => {
  let servers: ReferenceServers;
  beforeAll(async () => {
    servers = await startReferenceServers();
  });
  afterAll(() => servers?.close());

  test('is what the servers’ OpenAPI documents render to', async () => {
    const rendered = renderHttpApiReference(servers.services);
    if (WRITE) {
      await writeFile(REFERENCE, rendered);
      return;
    }
    const committed = await readFile(REFERENCE, 'utf8').catch(() => '');
    if (committed === rendered) return;
    const lines = committed.split('\n');
    const line = rendered.split('\n').findIndex((text, index) => text !== lines[index]) + 1;
    expect.fail(`docs/http-api.md is stale: run npm run docs:api (first difference at line ${line})`);
  });

  test('every parameter, body field and response field has a description', () => {
    const missing = servers.services.flatMap((service) =>
      undescribedFields(service.doc).map((field) => `${service.title}: ${field}`),
    );
    expect(missing, 'describe these fields in their zod schemas (.describe or .meta)').toEqual([]);
  });

  test('every example request passes its route’s validation on the real server', async () => {
    const refused: string[] = [];
    for (const service of servers.services) {
      for (const [path, item] of Object.entries(service.doc.paths)) {
        for (const [method, operation] of Object.entries(item)) {
          const request = exampleRequest(service.doc, method, path, operation);
          const abort = new AbortController();
          const timer = setTimeout(() => abort.abort(), ANSWER_WITHIN_MS);
          const answer = await fetch(service.url + request.target, {
            method: request.method,
            signal: abort.signal,
            headers: headersOf(request, service.secret),
            ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
          }).catch((error: unknown) => {
            if (abort.signal.aborted) return undefined;
            throw error;
          });
          clearTimeout(timer);
          const json = answer?.headers.get('content-type')?.startsWith('application/json');
          const code =
            !answer || answer.ok || !json
              ? undefined
              : ((await answer.json()) as { error: { code: string } }).error.code;
          abort.abort();
          if (code !== undefined && (REFUSED.has(code) || (service.secret && code === 'unauthorized')))
            refused.push(`${request.method} ${request.target}: ${code}`);
        }
      }
    }
    expect(refused).toEqual([]);
  });

  test.runIf(hasSystemCommand('curl', 'curl') && hasSystemCommand('openssl', 'openssl'))(
    'a signed example, run as printed, is accepted',
    async () => {
      const run = promisify(execFile);
      const signed = servers.services.flatMap((service) =>
        Object.entries(service.doc.paths).flatMap(([path, item]) =>
          Object.entries(item)
            .map(([method, operation]) => exampleRequest(service.doc, method, path, operation))
            .filter((request) => request.headers.some((header) => header.hmacSha256Prefix !== undefined))
            .map((request) => ({ service, request })),
        ),
      );
      expect(signed.length, 'the deploy webhook documents a signed example').toBeGreaterThan(0);
      for (const { service, request } of signed) {
        const script = `${curlCommand(request, service)} \\\n  -o /dev/null -w '%{http_code}'`;
        const env = { ...process.env, [service.urlEnv]: service.url, [service.secretEnv!]: service.secret! };
        const { stdout } = await run('sh', ['-c', script], { env });
        expect(`${request.method} ${request.target}: ${stdout}`).toBe(`${request.method} ${request.target}: 202`);
      }
    },
  );
});
