// An agent that consumes its queue and answers every message, using @fleet/sdk.
//
//   npx fleet-bus server --db :memory:            # in another terminal
//   node examples/reply-agent.mjs                 # this agent, named "echo"
//   npx fleet-bus send --from me --to echo --payload '{"text":"hi"}'
//   npx fleet-bus receive --agent me --ack        # the reply
//
// Environment: FLEET_BUS_URL (default http://127.0.0.1:8650), FLEET_BUS_TOKEN, AGENT (default "echo").
import { BusClient } from '@fleet/sdk';

const agent = process.env.AGENT ?? 'echo';
const client = new BusClient({
  url: process.env.FLEET_BUS_URL ?? 'http://127.0.0.1:8650',
  ...(process.env.FLEET_BUS_TOKEN ? { token: process.env.FLEET_BUS_TOKEN } : {}),
});

const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());

console.log(`${agent} is consuming its queue`);
await client.consume(
  agent,
  async (message) => {
    // Throwing here would nack the message; the bus redelivers it with backoff.
    await client.send({
      from: agent,
      to: message.from,
      type: 'reply',
      payload: { inReplyTo: message.id, echo: message.payload },
    });
    console.log(`replied to ${message.from} (${message.id})`);
  },
  { signal: stop.signal, concurrency: 4 },
);
console.log(`${agent} stopped`);
