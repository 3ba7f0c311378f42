// Shared by the bus benchmarks (bus.mjs, bus-postgres.mjs): the send, leased receive, ack loop as
// autocannon requests, with 1 KB payloads.

const payload = { text: 'x'.repeat(1000) };
const headers = { 'content-type': 'application/json' };

/**
 * Autocannon requests of the message lifecycle: send (one message, or `batch` in one request) to
 * the connection's agent (`agentOf()` names it when the sequence starts), leased receive of up to
 * `batch`, ack of what came (a receipt that matches nothing when nothing came); adds the messages
 * acked to `counter.acked` when a counter is given.
 */
export function lifecycleRequests(agentOf, batch = 1, counter = undefined) {
  const messages = (agent) => Array.from({ length: batch }, () => ({ from: 'bench', to: agent, payload }));
  return [
    batch === 1
      ? {
          method: 'POST',
          path: '/message',
          headers,
          setupRequest: (req, context) => {
            context.agent ??= agentOf();
            return { ...req, body: JSON.stringify({ from: 'bench', to: context.agent, payload }) };
          },
        }
      : {
          method: 'POST',
          path: '/messages/batch',
          headers,
          setupRequest: (req, context) => {
            context.agent ??= agentOf();
            context.batchBody ??= JSON.stringify({ messages: messages(context.agent) });
            return { ...req, body: context.batchBody };
          },
        },
    {
      method: 'POST',
      path: '/receive',
      headers,
      setupRequest: (req, context) => ({
        ...req,
        body: JSON.stringify({ agent: context.agent, limit: batch, leaseSeconds: 600 }),
      }),
      onResponse: (_status, body, context) => {
        context.receipts = JSON.parse(body).deliveries.map((d) => d.receipt);
      },
    },
    {
      method: 'POST',
      path: '/ack',
      headers,
      setupRequest: (req, context) => ({
        ...req,
        body: JSON.stringify({ receipts: context.receipts?.length ? context.receipts : ['none~none'] }),
      }),
      onResponse: (status, body) => {
        if (counter && status === 200) counter.acked += JSON.parse(body).acked;
      },
    },
  ];
}
