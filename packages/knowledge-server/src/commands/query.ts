import { type FactQueryInit, Timestamp } from '@fleet/sdk';
import { numberArg, output, printJson, strictArgs, UsageError } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { clientArgs, knowledgeClientFrom } from './internal/client-args.ts';
import { formatFact } from './internal/format.ts';

/** `fleet-knowledge query`: one page of facts by prefix, tag, full text and update time, ordered by key. */
export const queryCommand = defineCommand({
  meta: { name: 'query', description: 'List facts by key prefix, tag, full text or update time' },
  plugins: [strictArgs],
  args: {
    ...clientArgs,
    prefix: { type: 'string', description: 'Only keys starting with this', valueHint: 'prefix' },
    tag: { type: 'string', description: 'Only facts with this tag', valueHint: 'tag' },
    q: { type: 'string', description: 'Full-text match over keys and values (FTS5 syntax)', valueHint: 'text' },
    since: { type: 'string', description: 'Only facts updated at or after this ISO time', valueHint: 'time' },
    limit: { type: 'string', description: 'Page size, 1..1000 (default: 100)', valueHint: 'n' },
    cursor: { type: 'string', description: 'Cursor of the next page, from a previous query', valueHint: 'cursor' },
  },
  async run({ args }) {
    const limit = numberArg(args.limit, 'limit', { integer: true, min: 1, max: 1000 });
    if (args.since !== undefined && !Timestamp.safeParse(args.since).success) {
      throw new UsageError(`--since must be an ISO time like 2025-01-31T12:00:00Z, got "${args.since}"`);
    }
    const query: FactQueryInit = {
      ...(args.prefix !== undefined ? { prefix: args.prefix } : {}),
      ...(args.tag !== undefined ? { tag: args.tag } : {}),
      ...(args.q !== undefined ? { q: args.q } : {}),
      ...(args.since !== undefined ? { updatedSince: args.since } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...(args.cursor !== undefined ? { cursor: args.cursor } : {}),
    };
    const page = await knowledgeClientFrom(args).query(query);
    if (args.json) return printJson(page);
    if (page.count === 0) return output.log('no facts');
    for (const fact of page.facts) output.log(formatFact(fact));
    if (page.nextCursor) output.log(`more: --cursor ${page.nextCursor}`);
  },
});
