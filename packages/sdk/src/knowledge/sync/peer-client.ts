import { KnowledgeClient } from '../knowledge-client.ts';

/** The settings of the client the sync engine makes for a peer (in this thread or a worker's). */
export interface PullTarget {
  url: string;
  token?: string;
  timeoutMs: number;
}

/** The sync engine's default client for a peer: no retries (the engine backs a failing peer off). */
export function peerClient({ url, token, timeoutMs }: PullTarget): KnowledgeClient {
  return new KnowledgeClient({ url, timeoutMs, retry: 0, ...(token === undefined ? {} : { token }) });
}
