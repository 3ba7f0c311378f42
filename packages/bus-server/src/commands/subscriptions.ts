import { formatTable, output, printJson, strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { busClientFrom, clientArgs } from './internal/client-args.ts';

/** `fleet-bus subscriptions`: lists subscriptions, optionally of one agent or one topic. */
export const subscriptionsCommand = defineCommand({
  meta: { name: 'subscriptions', description: 'List subscriptions (--agent, --topic filter)' },
  plugins: [strictArgs],
  args: {
    ...clientArgs,
    agent: { type: 'string', description: 'Only this agent', valueHint: 'agent' },
    topic: { type: 'string', description: 'Only this topic', valueHint: 'topic' },
  },
  async run({ args }) {
    const list = await busClientFrom(args).subscriptions({
      ...(args.agent !== undefined ? { agent: args.agent } : {}),
      ...(args.topic !== undefined ? { topic: args.topic } : {}),
    });
    if (args.json) return printJson(list);
    if (list.count === 0) return output.log('no subscriptions');
    const rows = list.subscriptions.map((s) => [s.topic, s.agent, s.createdAt]);
    for (const line of formatTable([['TOPIC', 'AGENT', 'SINCE'], ...rows])) output.log(line);
  },
});
