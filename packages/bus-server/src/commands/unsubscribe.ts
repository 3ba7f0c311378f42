import { output, printJson, strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { busClientFrom, clientArgs } from './internal/client-args.ts';

/** `fleet-bus unsubscribe`: unsubscribes an agent from a topic; not being subscribed is no error. */
export const unsubscribeCommand = defineCommand({
  meta: { name: 'unsubscribe', description: 'Unsubscribe an agent from a topic' },
  plugins: [strictArgs],
  args: {
    ...clientArgs,
    agent: { type: 'string', description: 'Subscribed agent', required: true, valueHint: 'agent' },
    topic: { type: 'string', description: 'Topic', required: true, valueHint: 'topic' },
  },
  async run({ args }) {
    const result = await busClientFrom(args).unsubscribe(args.agent, args.topic);
    if (args.json) return printJson(result);
    output.log(
      result.removed
        ? `${args.agent} unsubscribed from ${args.topic}`
        : `${args.agent} was not subscribed to ${args.topic}, nothing changed`,
    );
  },
});
