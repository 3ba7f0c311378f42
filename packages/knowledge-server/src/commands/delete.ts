import { output, printJson, strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { clientArgs, knowledgeClientFrom } from './internal/client-args.ts';

/** `fleet-knowledge delete KEY`: deletes a fact (a tombstone that replicates to the peers). */
export const deleteCommand = defineCommand({
  meta: { name: 'delete', description: 'Delete a fact' },
  plugins: [strictArgs],
  args: {
    ...clientArgs,
    key: { type: 'positional', description: 'Fact key', required: true, valueHint: 'KEY' },
  },
  async run({ args }) {
    const result = await knowledgeClientFrom(args).delete(args.key);
    if (args.json) return printJson(result);
    output.log(result.deleted ? `deleted ${result.key} (version ${result.version})` : `no fact ${result.key}`);
  },
});
