import { MAX_DELAY_SECONDS } from '@fleet/sdk';
import { numberArg, output, printJson, strictArgs } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { busClientFrom, clientArgs } from './internal/client-args.ts';
import { formatNack } from './internal/format.ts';

/** `fleet-bus nack`: gives a leased message back for redelivery (or to the dead letters when out of attempts). */
export const nackCommand = defineCommand({
  meta: {
    name: 'nack',
    description: 'Give a leased message back: delivered again later, dead-lettered when out of attempts',
  },
  plugins: [strictArgs],
  args: {
    ...clientArgs,
    receipt: { type: 'string', description: 'Receipt from receive', required: true, valueHint: 'receipt' },
    delay: {
      type: 'string',
      description: `Deliver again after this many seconds, 0..${MAX_DELAY_SECONDS} (default: exponential backoff)`,
      valueHint: 'seconds',
    },
    reason: { type: 'string', description: 'Why processing failed; kept with a dead letter', valueHint: 'text' },
  },
  async run({ args }) {
    const delaySeconds = numberArg(args.delay, 'delay', { min: 0, max: MAX_DELAY_SECONDS });
    const result = await busClientFrom(args).nack({
      receipt: args.receipt,
      ...(delaySeconds !== undefined ? { delaySeconds } : {}),
      ...(args.reason !== undefined ? { reason: args.reason } : {}),
    });
    if (args.json) return printJson(result);
    output.log(formatNack(result));
  },
});
