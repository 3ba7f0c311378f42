import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exampleRequest } from '../scripts/http-api/example-request.ts';
import { type ReferenceServers, startReferenceServers } from '../scripts/http-api/reference-servers.ts';
import { renderHttpApiReference } from '../scripts/http-api/render-markdown.ts';
import { undescribedFields } from '../scripts/http-api/route-fields.ts';

const REFERENCE = fileURLToPath(new URL('../docs/http-api.md', import.meta.url));
/** `npm run docs:api` sets it: write the reference instead of comparing. */
const WRITE = process.env.FLEET_WRITE_API_DOCS === '1';

/** Codes that mean a request is not one the route accepts. */
const REFUSED = new Set(['validation_failed', 'invalid_json', 'unsupported_media_type', 'payload_too_large']);
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
            ...(request.body === undefined
              ? {}
              : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(request.body) }),
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
          if (code !== undefined && REFUSED.has(code)) refused.push(`${request.method} ${request.target}: ${code}`);
        }
      }
    }
    expect(refused).toEqual([]);
  });
});
