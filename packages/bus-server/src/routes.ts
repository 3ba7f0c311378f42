import { busRoutes, FleetError, MAX_BATCH_SIZE, MAX_POLL_ANSWER_BYTES } from '@fleet/sdk';
import { implement, type RouteImplementation } from '@fleet/sdk/server';
import { leaseWithWait, type MessageStore, streamMessages } from '@fleet/sdk/stores';

/**
 * The bus server: each route of the `busRoutes` contract bound to one MessageStore call.
 * Validation, auth, errors and encoding are the shared plumbing's job.
 */
export function busRouteImplementations(store: MessageStore): RouteImplementation[] {
  return [
    implement(busRoutes.send, ({ body }) => store.send(body)),
    implement(busRoutes.sendBatch, ({ body }) => store.sendBatch(body.messages)),
    implement(busRoutes.poll, async ({ query, method }) => {
      // The server answers HEAD with the GET handler; a poll removes what it returns, so HEAD must not poll.
      if (method === 'HEAD') return { messages: [], count: 0 };
      // A poll removes what it returns: never more than a client reads by default.
      const maxBytes = query.maxBytes ?? MAX_POLL_ANSWER_BYTES;
      const messages = await store.poll(query.to, Math.min(query.limit, MAX_BATCH_SIZE), maxBytes);
      return { messages, count: messages.length };
    }),
    implement(busRoutes.receive, async (ctx) => {
      // The abort signal costs an AbortController per request: only a long poll needs it.
      const signal = ctx.body.waitSeconds > 0 ? ctx.signal : undefined;
      const deliveries = await leaseWithWait(store, ctx.body, signal);
      return { deliveries, count: deliveries.length };
    }),
    implement(busRoutes.ack, async ({ body }) => ({ acked: await store.ack(body.receipts) })),
    implement(busRoutes.nack, ({ body }) => store.nack(body)),
    implement(busRoutes.extend, ({ body }) => store.extendLease(body)),
    implement(busRoutes.subscribe, ({ body }) => store.subscribe(body.agent, body.topic)),
    implement(busRoutes.unsubscribe, async ({ query }) => ({
      removed: await store.unsubscribe(query.agent, query.topic),
    })),
    implement(busRoutes.subscriptions, async ({ query }) => {
      const subscriptions = await store.subscriptions(query);
      return { subscriptions, count: subscriptions.length };
    }),
    implement(busRoutes.deadLetters, async ({ query }) => {
      const page = await store.deadLetters(query);
      return { deadLetters: page.items, count: page.items.length, nextCursor: page.nextCursor };
    }),
    implement(busRoutes.deadLetter, async ({ params }) => {
      const deadLetter = await store.deadLetter(params.id);
      if (!deadLetter)
        throw new FleetError('not_found', `no dead letter with id ${params.id}`, { details: { field: 'id' } });
      return deadLetter;
    }),
    implement(busRoutes.redrive, async ({ body }) => ({ redriven: await store.redrive(body) })),
    implement(busRoutes.purge, async ({ body }) => ({ purged: await store.purge(body) })),
    implement(busRoutes.audit, async ({ query }) => {
      const page = await store.audit(query);
      return {
        events: page.items,
        count: page.items.length,
        nextCursor: page.nextCursor,
        prunedThrough: page.prunedThrough,
      };
    }),
    implement(busRoutes.stats, () => store.stats()),
    implement(busRoutes.stream, ({ query, signal }) => streamMessages(store, query.agent, { signal })),
  ];
}
