import { BusClient, defaultServerUrl } from '@fleet/sdk';
import { type ClientEndpoint, clientFrom, defineClientArgs } from '@fleet/sdk/cli';

/** The default bus URL when neither `--url` nor `FLEET_BUS_URL` is given. */
export const DEFAULT_BUS_URL = defaultServerUrl('bus');

/** Where the client commands find the bus. */
const busEndpoint: ClientEndpoint = {
  label: 'Bus server',
  urlEnv: 'FLEET_BUS_URL',
  tokenEnv: 'FLEET_BUS_TOKEN',
  defaultUrl: DEFAULT_BUS_URL,
};

/** Options every client command takes. */
export const clientArgs = defineClientArgs(busEndpoint);

/** A client for the bus named by `--url`/`--token` or their environment variables. */
export function busClientFrom(args: { url?: string | undefined; token?: string | undefined }): BusClient {
  return clientFrom(args, busEndpoint, (options) => new BusClient(options));
}
