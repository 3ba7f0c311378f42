import { type FactInputInit, type JsonValue, MAX_FACT_TTL_SECONDS } from '@fleet/sdk';
import { numberArg, output, printJson, repeatedValues, strictArgs, UsageError } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { clientArgs, knowledgeClientFrom } from './internal/client-args.ts';
import { formatFact } from './internal/format.ts';

/** The VALUE argument: any JSON value. */
function valueFrom(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw new UsageError(`VALUE is not valid JSON (quote a string: '"${text}"')`);
  }
}

/** `fleet-knowledge put KEY VALUE`: puts (upserts) one fact. */
export const putCommand = defineCommand({
  meta: { name: 'put', description: 'Put (upsert) a fact: KEY and a JSON VALUE' },
  plugins: [strictArgs],
  args: {
    ...clientArgs,
    key: { type: 'positional', description: 'Fact key, e.g. hosts/ezra/models', required: true, valueHint: 'KEY' },
    value: { type: 'positional', description: 'JSON value, e.g. \'["llama3"]\' or \'"text"\'', required: true },
    tag: { type: 'string', description: 'Tag; repeatable', valueHint: 'tag' },
    ttl: { type: 'string', description: 'Expire after this many seconds', valueHint: 'seconds' },
  },
  async run({ args, rawArgs }) {
    const value = valueFrom(args.value);
    const ttlSeconds = numberArg(args.ttl, 'ttl', { max: MAX_FACT_TTL_SECONDS });
    if (ttlSeconds !== undefined && ttlSeconds <= 0) throw new UsageError(`--ttl must be positive, got ${args.ttl}`);
    const tags = repeatedValues(rawArgs, 'tag');
    const input: FactInputInit = {
      key: args.key,
      value,
      ...(tags.length > 0 ? { tags } : {}),
      ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
    };
    const fact = await knowledgeClientFrom(args).put(input);
    if (args.json) return printJson(fact);
    output.log(formatFact(fact));
  },
});
