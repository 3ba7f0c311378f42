import { output, printJson, strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { busClientFrom, clientArgs } from './internal/client-args.ts';

/** `fleet-bus subscribe`: subscribes an agent to a topic (idempotent). */
export const subscribeCommand = defineCommand({
  meta: { name: 'subscribe', description: 'Subscribe an agent to a topic: it gets a copy of every message sent to it' },
  plugins: [strictArgs],
  args: {
    ...clientArgs,
    agent: { type: 'string', description: 'Subscribing agent', required: true, valueHint: 'agent' },
    topic: { type: 'string', description: 'Topic', required: true, valueHint: 'topic' },
  },
  async run({ args }) {
    const subscription = await busClientFrom(args).subscribe(args.agent, args.topic);
    if (args.json) return printJson(subscription);
    output.log(`${subscription.agent} subscribed to ${subscription.topic} (since ${subscription.createdAt})`);
  },
});
