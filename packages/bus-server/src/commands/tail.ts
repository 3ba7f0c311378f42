import { output, printJson, strictArgs, untilSignal } from '@fleet/sdk/cli';
import { defineCommand } from 'citty';
import { busClientFrom, clientArgs } from './internal/client-args.ts';
import { formatTailLine } from './internal/format.ts';

/**
 * `fleet-bus tail`: follows an agent's messages live, without consuming them, until Ctrl-C or its
 * reader is gone (`fleet-bus tail --agent w | head -1` ends with status 0 at the next message).
 */
export const tailCommand = defineCommand({
  meta: { name: 'tail', description: "Follow an agent's messages live (without consuming them) until Ctrl-C" },
  plugins: [strictArgs],
  args: {
    ...clientArgs,
    agent: { type: 'string', description: 'Agent to follow', required: true, valueHint: 'agent' },
  },
  async run({ args }) {
    const client = busClientFrom(args);
    const stop = untilSignal({ outputLost: true });
    try {
      const messages = client.stream(args.agent, {
        signal: stop.signal,
        onOpen: () => output.info(`following ${args.agent} on ${client.url} (Ctrl-C to stop)`),
      });
      for await (const message of messages) {
        if (args.json) printJson(message);
        else output.log(formatTailLine(message));
      }
      if (!stop.signal.aborted) throw new Error(`${client.url} closed the stream`);
    } finally {
      stop.dispose();
    }
  },
});
