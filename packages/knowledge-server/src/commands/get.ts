import { output, printJson, strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { clientArgs, knowledgeClientFrom } from './internal/client-args.ts';
import { formatFact } from './internal/format.ts';

/** `fleet-knowledge get KEY`: one fact (exit 1 with `not_found` when there is none). */
export const getCommand = defineCommand({
  meta: { name: 'get', description: 'Show one fact' },
  plugins: [strictArgs],
  args: {
    ...clientArgs,
    key: { type: 'positional', description: 'Fact key', required: true, valueHint: 'KEY' },
  },
  async run({ args }) {
    const fact = await knowledgeClientFrom(args).get(args.key);
    if (args.json) return printJson(fact);
    output.log(formatFact(fact));
  },
});
