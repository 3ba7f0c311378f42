import { output, printJson, strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { busClientFrom, clientArgs } from './internal/client-args.ts';
import { formatStats } from './internal/format.ts';

/** `fleet-bus stats`: queue depth per recipient. */
export const statsCommand = defineCommand({
  meta: { name: 'stats', description: 'Queue depth per recipient' },
  plugins: [strictArgs],
  args: { ...clientArgs },
  async run({ args }) {
    const stats = await busClientFrom(args).stats();
    if (args.json) return printJson(stats);
    for (const line of formatStats(stats)) output.log(line);
  },
});
