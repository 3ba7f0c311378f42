import { output, printJson, strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { clientArgs, knowledgeClientFrom } from './internal/client-args.ts';
import { formatSyncStatus } from './internal/format.ts';

/** `fleet-knowledge status`: this node's sync state per peer. */
export const statusCommand = defineCommand({
  meta: { name: 'status', description: 'Sync state per peer: cursors, lag, conflicts, last success and error' },
  plugins: [strictArgs],
  args: { ...clientArgs },
  async run({ args }) {
    const status = await knowledgeClientFrom(args).syncStatus();
    if (args.json) return printJson(status);
    for (const line of formatSyncStatus(status)) output.log(line);
  },
});
