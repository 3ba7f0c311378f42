import { output, printJson, strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { clientArgs, knowledgeClientFrom } from './internal/client-args.ts';
import { formatSyncResults } from './internal/format.ts';

/** `fleet-knowledge sync`: makes the node sync with every peer now (exit 1 when any peer failed). */
export const syncCommand = defineCommand({
  meta: { name: 'sync', description: 'Sync with every peer now' },
  plugins: [strictArgs],
  args: { ...clientArgs },
  async run({ args }) {
    const result = await knowledgeClientFrom(args).runSync({ timeoutMs: 0 });
    if (args.json) printJson(result);
    else for (const line of formatSyncResults(result.results)) output.log(line);
    const failed = result.results.filter((r) => !r.ok).map((r) => r.peer);
    if (failed.length > 0) throw new Error(`sync failed with ${failed.join(', ')}`);
  },
});
