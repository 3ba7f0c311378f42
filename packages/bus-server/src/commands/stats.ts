import { formatBacklog, output, printJson, strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { busClientFrom, clientArgs } from './internal/client-args.ts';

/** `fleet-bus stats`: queue depth per recipient. */
export const statsCommand = defineCommand({
  meta: { name: 'stats', description: 'Queue depth per recipient' },
  plugins: [strictArgs],
  args: { ...clientArgs },
  async run({ args }) {
    const stats = await busClientFrom(args).stats();
    if (args.json) return printJson(stats);
    for (const line of formatBacklog(stats)) output.log(line);
  },
});
