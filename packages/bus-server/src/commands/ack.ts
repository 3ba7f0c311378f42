import { MAX_BATCH_SIZE } from '@fleet/sdk';
import { output, printJson, repeatedValues, strictArgs, UsageError } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { busClientFrom, clientArgs } from './internal/client-args.ts';

/** `fleet-bus ack`: acknowledges (removes) leased messages by receipt; all or none. */
export const ackCommand = defineCommand({
  meta: { name: 'ack', description: 'Acknowledge leased messages: done, remove them (all receipts or none)' },
  plugins: [strictArgs],
  args: {
    ...clientArgs,
    receipt: {
      type: 'string',
      description: `Receipt from receive; repeatable, up to ${MAX_BATCH_SIZE}`,
      required: true,
      valueHint: 'receipt',
    },
  },
  async run({ args, rawArgs }) {
    const receipts = repeatedValues(rawArgs, 'receipt');
    if (receipts.length > MAX_BATCH_SIZE) {
      throw new UsageError(`at most ${MAX_BATCH_SIZE} --receipt at once, got ${receipts.length}`);
    }
    const result = await busClientFrom(args).ack(receipts);
    if (args.json) return printJson(result);
    output.log(`acked ${result.acked}`);
  },
});
