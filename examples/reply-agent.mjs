// An agent that consumes its queue and answers every message but replies, using @fleet/sdk.
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
try {
  await client.consume(
    agent,
    async (message) => {
      // Answering replies too, two agents pointed at each other would answer each other for ever.
      if (message.type === 'reply') return;
      // Throwing here would nack the message; the bus redelivers it with backoff. The key makes the
      // bus drop a second reply when an ack is lost and the message comes back.
      await client.send({
        from: agent,
        to: message.from,
        type: 'reply',
        payload: { inReplyTo: message.id, echo: message.payload },
        idempotencyKey: `reply:${message.id}`,
      });
      console.log(`replied to ${message.from} (${message.id})`);
    },
    {
      signal: stop.signal,
      concurrency: 4,
      // An unreachable bus (down, restarting) is retried with backoff; say so rather than go quiet.
      onError: (error, { operation }) => console.error(`${operation} failed: ${error.message}`),
    },
  );
} catch (error) {
  // What retrying cannot fix, such as a token the bus refuses: one line, not a stack.
  console.error(`${agent} stopped: ${error.code ? `${error.code}: ` : ''}${error.message}`);
  process.exit(1);
}
console.log(`${agent} stopped`);
