import { BusClient } from '@fleet/sdk';
import { UsageError } from './usage-error.ts';

/** The default bus URL when neither `--url` nor `FLEET_BUS_URL` is given. */
export const DEFAULT_BUS_URL = 'http://127.0.0.1:8650';

/** Options every client command takes. */
export const clientArgs = {
  url: {
    type: 'string',
    description: `Bus server URL (default: $FLEET_BUS_URL or ${DEFAULT_BUS_URL})`,
    valueHint: 'url',
  },
  token: { type: 'string', description: 'Bearer token (default: $FLEET_BUS_TOKEN)', valueHint: 'token' },
  json: { type: 'boolean', description: 'Print the raw JSON response, for scripts', default: false },
} as const;

/** A client for the bus named by `--url`/`--token` or their environment variables. */
export function busClientFrom(args: { url?: string | undefined; token?: string | undefined }): BusClient {
  const url = args.url || process.env.FLEET_BUS_URL || DEFAULT_BUS_URL;
  const token = args.token || process.env.FLEET_BUS_TOKEN;
  try {
    return new BusClient({ url, ...(token ? { token } : {}) });
  } catch (error) {
    throw new UsageError(`--url: ${error instanceof Error ? error.message : String(error)}`);
  }
}
