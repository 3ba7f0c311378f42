import { describe, expect, expectTypeOf, test } from 'vitest';
import { implement } from '../../src/server/index.ts';
import { toyRoutes } from './_toy.ts';

describe('implement', () => {
  test('types params, query and body from the contract schemas (checked by tsc)', () => {
    const getItem = implement(toyRoutes.getItem, ({ params, query, body }) => {
      expectTypeOf(params).toEqualTypeOf<{ id: string }>();
      expectTypeOf(query).toEqualTypeOf<undefined>();
      expectTypeOf(body).toEqualTypeOf<undefined>();
      return { id: params.id };
    });
    const send = implement(toyRoutes.send, async ({ body, signal }) => {
      expectTypeOf(body.messages).toEqualTypeOf<Array<{ to: string; text: string }>>();
      expectTypeOf(signal).toEqualTypeOf<AbortSignal>();
      return { sent: body.messages.length };
    });
    const list = implement(toyRoutes.listItems, ({ query }) => {
      expectTypeOf(query.limit).toEqualTypeOf<number>();
      return { limit: query.limit, tags: [] };
    });
    // @ts-expect-error the response must match the contract
    implement(toyRoutes.getItem, () => ({ id: 1 }));
    // @ts-expect-error an sse route returns an async iterable, not a value
    implement(toyRoutes.stream, () => ({ n: 1 }));
    implement(toyRoutes.stream, async function* () {
      yield { n: 1 };
    });
    expect([getItem.route, send.route, list.route]).toEqual([toyRoutes.getItem, toyRoutes.send, toyRoutes.listItems]);
  });
});
