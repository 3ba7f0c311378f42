import { type JsonValue, MAX_DELAY_SECONDS, MAX_TTL_SECONDS, type SendInputInit } from '@fleet/sdk';
import { jsonArg, numberArg, output, printJson, strictArgs, UsageError } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { busClientFrom, clientArgs } from './internal/client-args.ts';
import { formatMessage } from './internal/format.ts';

/** `fleet-bus send`: sends one message to an agent, a topic, or everyone (`--to '*'`). */
export const sendCommand = defineCommand({
  meta: { name: 'send', description: 'Send a message to an agent (--to) or a topic (--topic)' },
  plugins: [strictArgs],
  args: {
    ...clientArgs,
    from: { type: 'string', description: 'Sending agent', required: true, valueHint: 'agent' },
    to: { type: 'string', description: "Recipient agent, or '*' for every known agent", valueHint: 'agent' },
    topic: { type: 'string', description: 'Topic: every subscriber gets a copy', valueHint: 'topic' },
    type: { type: 'string', description: 'Message type (default: message)', valueHint: 'type' },
    payload: { type: 'string', description: 'JSON payload', valueHint: 'json' },
    priority: { type: 'string', description: 'Priority, -100..100; higher first', valueHint: 'n' },
    delay: { type: 'string', description: 'Deliver after this many seconds', valueHint: 'seconds' },
    ttl: { type: 'string', description: 'Dead-letter if not delivered within this many seconds', valueHint: 'seconds' },
    key: { type: 'string', description: 'Idempotency key: a repeat within the window is not stored again' },
  },
  async run({ args }) {
    if ((args.to === undefined) === (args.topic === undefined)) {
      throw new UsageError('exactly one of --to or --topic is required');
    }
    const payload = jsonArg(args.payload, 'payload') as JsonValue | undefined;
    const priority = numberArg(args.priority, 'priority', { integer: true, min: -100, max: 100 });
    const delaySeconds = numberArg(args.delay, 'delay', { min: 0, max: MAX_DELAY_SECONDS });
    const ttlSeconds = numberArg(args.ttl, 'ttl', { min: 0, max: MAX_TTL_SECONDS });
    const input: SendInputInit = {
      from: args.from,
      ...(args.to !== undefined ? { to: args.to } : {}),
      ...(args.topic !== undefined ? { topic: args.topic } : {}),
      ...(args.type !== undefined ? { type: args.type } : {}),
      ...(payload !== undefined ? { payload } : {}),
      ...(priority !== undefined ? { priority } : {}),
      ...(delaySeconds !== undefined ? { delaySeconds } : {}),
      ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
      ...(args.key !== undefined ? { idempotencyKey: args.key } : {}),
    };
    const result = await busClientFrom(args).send(input);
    if (args.json) return printJson(result);
    const copies = `${result.count} ${result.count === 1 ? 'copy' : 'copies'}`;
    if (result.duplicate) output.log(`duplicate of an earlier send (${copies}), nothing stored`);
    else if (result.count === 0)
      output.log('sent 0 copies: no recipient (no subscriber of the topic, or no other agent)');
    else output.log(`sent ${copies}`);
    for (const message of result.messages) output.log(formatMessage(message));
  },
});
