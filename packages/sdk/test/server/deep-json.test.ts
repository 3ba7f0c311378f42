import { describe, expect, test } from 'vitest';
import { busRoutes } from '../../src/bus/routes.ts';
import { knowledgeRoutes } from '../../src/knowledge/routes.ts';
import { MAX_JSON_DEPTH } from '../../src/schemas/common.ts';
import { createFleetServer, implement } from '../../src/server/index.ts';
import { envelopeOf, post } from './_toy.ts';

/** `levels` arrays around `inner` (raw JSON text). */
const arrays = (levels: number, inner = '1') => `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;
/** `levels` objects around `inner` (raw JSON text). */
const objects = (levels: number, inner = '1') => `${'{"a":'.repeat(levels)}${inner}${'}'.repeat(levels)}`;

/** The real bus and knowledge contracts whose bodies carry any JSON, behind handlers that serialize it. */
function echoServer() {
  const logged: unknown[] = [];
  const server = createFleetServer({
    service: 'echo',
    version: '1.0.0',
    logger: { info() {}, warn: (...args) => logged.push(args), error: (...args) => logged.push(args) },
    routes: [
      implement(busRoutes.send, ({ body }) => {
        // What a store does with a payload.
        JSON.stringify(body.payload);
        return { duplicate: false, messages: [], count: 0 };
      }),
      implement(knowledgeRoutes.put, ({ body }) => ({
        key: body.key,
        value: body.value,
        tags: body.tags,
        source: 'echo',
        version: '001738324800000-00000',
        updatedAt: '2025-01-31T12:00:00.000Z',
        expiresAt: null,
      })),
    ],
  });
  return {
    server,
    logged,
    request: (path: string, body: string) => server.fetch(new Request(`http://echo.test${path}`, post(body))),
  };
}

describe('JSON nested deeper than MAX_JSON_DEPTH', () => {
  test.each([
    ['POST /fact', '/fact', (value: string) => `{"key":"hosts/ezra","value":${value}}`, 'value'],
    ['POST /message', '/message', (value: string) => `{"from":"a","to":"b","type":"t","payload":${value}}`, 'payload'],
  ])(
    '%s: 20,000 levels of arrays or objects is a 400 naming the field, never a 500',
    async (_name, path, body, field) => {
      const echo = echoServer();
      for (const deep of [arrays(20_000), objects(20_000), arrays(MAX_JSON_DEPTH + 1)]) {
        const error = await envelopeOf(await echo.request(path, body(deep)));
        expect(error).toEqual({
          status: 400,
          code: 'validation_failed',
          message: `${field}: must be a JSON value nested at most ${MAX_JSON_DEPTH} levels deep (arrays and objects)`,
          details: {
            issues: [{ field, code: 'custom', message: expect.stringContaining(`${MAX_JSON_DEPTH} levels`) }],
          },
        });
      }
      expect(echo.logged).toEqual([]);
    },
  );

  test('a fact value exactly MAX_JSON_DEPTH levels deep is stored and answered', async () => {
    const echo = echoServer();
    const answer = await echo.request('/fact', `{"key":"hosts/ezra","value":${arrays(MAX_JSON_DEPTH)}}`);
    expect(answer.status).toBe(201);
    expect(JSON.stringify((await answer.json()).value)).toBe(arrays(MAX_JSON_DEPTH));
  });
});
