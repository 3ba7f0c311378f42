import { defaultServerUrl, KnowledgeClient } from '@fleet/sdk';
import { type ClientEndpoint, clientFrom, defineClientArgs } from '@fleet/sdk/cli';

/** The default knowledge server URL when neither `--url` nor `FLEET_KNOWLEDGE_URL` is given. */
export const DEFAULT_KNOWLEDGE_URL = defaultServerUrl('knowledge');

/** Where the client commands find the knowledge server. */
const knowledgeEndpoint: ClientEndpoint = {
  label: 'Knowledge server',
  urlEnv: 'FLEET_KNOWLEDGE_URL',
  tokenEnv: 'FLEET_KNOWLEDGE_TOKEN',
  defaultUrl: DEFAULT_KNOWLEDGE_URL,
};

/** Options every client command takes. */
export const clientArgs = defineClientArgs(knowledgeEndpoint);

/** A client for the knowledge server named by `--url`/`--token` or their environment variables. */
export function knowledgeClientFrom(args: { url?: string | undefined; token?: string | undefined }): KnowledgeClient {
  return clientFrom(args, knowledgeEndpoint, (options) => new KnowledgeClient(options));
}
