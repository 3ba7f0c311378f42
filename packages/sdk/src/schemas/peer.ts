import { z } from 'zod';
import { Timestamp } from './common.ts';
import { NodeId } from './fact.ts';
import { described } from './fields.ts';
import { httpBaseUrl } from './http-url.ts';
import { lazyShape } from './lazy-shape.ts';
import { listOf } from './list.ts';
import { wellFormed } from './well-formed.ts';

/** A sync partner as listed: its token is never returned. */
export const Peer = z.object(
  lazyShape(() => ({
    id: NodeId.describe("The peer's node id"),
    url: described(z.url({ protocol: /^https?$/ }), 'Base URL of the peer knowledge server'),
    hasToken: described(
      z.boolean(),
      'True when this node presents a bearer token to the peer (the token itself is never returned)',
    ),
    createdAt: Timestamp.describe('When it was registered'),
  })),
);
export type Peer = z.infer<typeof Peer>;

/** Registers (or updates) a peer. */
export const PeerInput = z.strictObject(
  lazyShape(() => ({
    id: NodeId.describe("The peer's node id; an id already registered is updated"),
    url: described(
      httpBaseUrl('must not include credentials (user:password@); give the peer a token instead'),
      'Base URL of the peer knowledge server, http or https: no user:password@, query string or fragment; its path empty or a base path such as /fleet/knowledge',
    ),
    token: described(
      z.string().check(z.minLength(1), z.maxLength(512), wellFormed).optional(),
      'Bearer token this node presents to the peer; without one, none is sent (an earlier one is dropped)',
    ),
  })),
);
export type PeerInput = z.infer<typeof PeerInput>;

export const PeerList = listOf('peers', Peer, 'The registered peers, by id');
export type PeerList = z.infer<typeof PeerList>;

export const PeerIdParams = z.strictObject(lazyShape(() => ({ id: NodeId.describe("The peer's node id") })));

export const RemovePeerResult = z.object(
  lazyShape(() => ({
    removed: described(z.boolean(), 'False when no peer had this id'),
  })),
);
export type RemovePeerResult = z.infer<typeof RemovePeerResult>;
