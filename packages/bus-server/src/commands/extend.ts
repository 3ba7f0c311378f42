import { MAX_LEASE_SECONDS } from '@fleet/sdk';
import { numberArg, output, printJson, strictArgs, UsageError } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { busClientFrom, clientArgs } from './internal/client-args.ts';

/** `fleet-bus extend`: makes a lease run out `--lease` seconds from now, for a slow job. */
export const extendCommand = defineCommand({
  meta: { name: 'extend', description: 'Extend a lease: it runs out --lease seconds from now' },
  plugins: [strictArgs],
  args: {
    ...clientArgs,
    receipt: { type: 'string', description: 'Receipt from receive', required: true, valueHint: 'receipt' },
    lease: {
      type: 'string',
      description: `New lease length from now in seconds, up to ${MAX_LEASE_SECONDS}`,
      required: true,
      valueHint: 'seconds',
    },
  },
  async run({ args }) {
    const leaseSeconds = numberArg(args.lease, 'lease', { min: 0, max: MAX_LEASE_SECONDS })!;
    if (leaseSeconds === 0) throw new UsageError('--lease must be more than 0, got 0');
    const result = await busClientFrom(args).extend({ receipt: args.receipt, leaseSeconds });
    if (args.json) return printJson(result);
    output.log(`lease extended until ${result.leaseExpiresAt}`);
  },
});
