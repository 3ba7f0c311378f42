import { z } from 'zod';
import { Timestamp } from './common.ts';
import { NodeId } from './fact.ts';
import { listOf } from './list.ts';

/** A sync partner as listed: its token is never returned. */
export const Peer = z.object({
  id: NodeId,
  url: z.url({ protocol: /^https?$/ }),
  hasToken: z.boolean(),
  createdAt: Timestamp,
});
export type Peer = z.infer<typeof Peer>;

/** Registers (or updates) a peer. */
export const PeerInput = z.strictObject({
  id: NodeId,
  url: z.url({ protocol: /^https?$/ }).describe('Base URL of the peer knowledge server'),
  token: z.string().min(1).max(512).optional().describe('Bearer token this node presents to the peer'),
});
export type PeerInput = z.infer<typeof PeerInput>;

export const PeerList = listOf('peers', Peer);
export type PeerList = z.infer<typeof PeerList>;

export const PeerIdParams = z.strictObject({ id: NodeId });

export const RemovePeerResult = z.object({ removed: z.boolean() });
export type RemovePeerResult = z.infer<typeof RemovePeerResult>;
