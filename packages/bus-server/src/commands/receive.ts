import { MAX_BATCH_SIZE, MAX_LEASE_SECONDS, MAX_WAIT_SECONDS } from '@fleet/sdk';
import { numberArg, output, printJson, strictArgs, UsageError } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { busClientFrom, clientArgs } from './internal/client-args.ts';
import { formatDelivery, formatLeaseHint } from './internal/format.ts';

/**
 * `fleet-bus receive`: leases messages for an agent, and acks them with `--ack`. Without it, the
 * receipts and the `ack`/`nack`/`extend` commands that finish the job are printed.
 */
export const receiveCommand = defineCommand({
  meta: { name: 'receive', description: 'Lease messages for an agent (at-least-once); --ack acknowledges them' },
  plugins: [strictArgs],
  args: {
    ...clientArgs,
    agent: { type: 'string', description: 'Receiving agent', required: true, valueHint: 'agent' },
    limit: { type: 'string', description: `Most messages to lease, 1..${MAX_BATCH_SIZE} (default: 1)`, valueHint: 'n' },
    lease: {
      type: 'string',
      description: `Lease length in seconds, more than 0 up to ${MAX_LEASE_SECONDS} (default: 30)`,
      valueHint: 'seconds',
    },
    wait: {
      type: 'string',
      description: `Wait up to this many seconds for a message, 0..${MAX_WAIT_SECONDS} (default: 0)`,
      valueHint: 'seconds',
    },
    ack: { type: 'boolean', description: 'Acknowledge what was received', default: false },
  },
  async run({ args }) {
    const limit = numberArg(args.limit, 'limit', { integer: true, min: 1, max: MAX_BATCH_SIZE });
    const leaseSeconds = numberArg(args.lease, 'lease', { min: 0, max: MAX_LEASE_SECONDS });
    // The schema takes only a positive lease (as for extend): 0 is a bad command line, not a server error.
    if (leaseSeconds === 0) throw new UsageError('--lease must be more than 0, got 0');
    const waitSeconds = numberArg(args.wait, 'wait', { min: 0, max: MAX_WAIT_SECONDS });
    const client = busClientFrom(args);
    const result = await client.receive({
      agent: args.agent,
      ...(limit !== undefined ? { limit } : {}),
      ...(leaseSeconds !== undefined ? { leaseSeconds } : {}),
      ...(waitSeconds !== undefined ? { waitSeconds } : {}),
    });
    const receipts = result.deliveries.map((delivery) => delivery.receipt);
    const acked = args.ack && receipts.length > 0 ? (await client.ack(receipts)).acked : undefined;
    if (args.json) return printJson(acked === undefined ? result : { ...result, acked });
    if (result.count === 0) return output.log('no messages');
    for (const delivery of result.deliveries) output.log(formatDelivery(delivery));
    if (acked !== undefined) output.log(`acked ${acked}`);
    // On stderr, with the diagnostics: stdout keeps one line per message.
    else for (const line of formatLeaseHint(result.deliveries, args.url)) output.info(line);
  },
});
