import type { DeadLetterSelectorInit } from '@fleet/sdk';
import { numberArg, output, printJson, repeatedValues, strictArgs, UsageError } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { busClientFrom, clientArgs } from './internal/client-args.ts';
import { formatDeadLetter } from './internal/format.ts';

const selectorArgs = {
  ...clientArgs,
  id: { type: 'string', description: 'Dead letter id; repeatable', valueHint: 'id' },
  agent: { type: 'string', description: 'Every dead letter of this recipient', valueHint: 'agent' },
} as const;

/** `--id ID...` or `--agent A`, exactly one. */
function selectorFrom(args: { agent?: string | undefined }, rawArgs: readonly string[]): DeadLetterSelectorInit {
  const ids = repeatedValues(rawArgs, 'id');
  if (ids.length > 0 === (args.agent !== undefined)) throw new UsageError('exactly one of --id or --agent is required');
  return ids.length > 0 ? { ids } : { agent: args.agent! };
}

const listCommand = defineCommand({
  meta: { name: 'list', description: 'List dead letters, oldest first' },
  plugins: [strictArgs],
  args: {
    ...clientArgs,
    agent: { type: 'string', description: 'Only this recipient', valueHint: 'agent' },
    limit: { type: 'string', description: 'Page size, 1..500 (default: 50)', valueHint: 'n' },
    cursor: { type: 'string', description: 'Cursor of the next page, from a previous listing', valueHint: 'cursor' },
  },
  async run({ args }) {
    const limit = numberArg(args.limit, 'limit', { integer: true, min: 1, max: 500 });
    const page = await busClientFrom(args).deadLetters({
      ...(args.agent !== undefined ? { agent: args.agent } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(args.cursor !== undefined ? { cursor: args.cursor } : {}),
    });
    if (args.json) return printJson(page);
    if (page.count === 0) return output.log('no dead letters');
    for (const deadLetter of page.deadLetters) output.log(formatDeadLetter(deadLetter));
    if (page.nextCursor) output.log(`more: --cursor ${page.nextCursor}`);
  },
});

const redriveCommand = defineCommand({
  meta: { name: 'redrive', description: 'Move dead letters back to ready (--id ID... or --agent A)' },
  plugins: [strictArgs],
  args: selectorArgs,
  async run({ args, rawArgs }) {
    const result = await busClientFrom(args).redrive(selectorFrom(args, rawArgs));
    if (args.json) return printJson(result);
    output.log(`redriven ${result.redriven}`);
  },
});

const purgeCommand = defineCommand({
  meta: { name: 'purge', description: 'Delete dead letters (--id ID... or --agent A)' },
  plugins: [strictArgs],
  args: selectorArgs,
  async run({ args, rawArgs }) {
    const result = await busClientFrom(args).purge(selectorFrom(args, rawArgs));
    if (args.json) return printJson(result);
    output.log(`purged ${result.purged}`);
  },
});

/** `fleet-bus dlq list|redrive|purge`: the dead-letter queue. */
export const dlqCommand = defineCommand({
  meta: { name: 'dlq', description: 'Inspect, redrive or purge dead letters' },
  subCommands: { list: listCommand, redrive: redriveCommand, purge: purgeCommand },
});
