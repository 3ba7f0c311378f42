import { type HungServer, startHungServer } from '@fleet/test-utils/hung-server';
import { closeAfterTest } from './_host.ts';

/** A real TCP server that reads every request and never answers (a hung peer), counting connections. */
export type HungPeer = HungServer;

/** Starts a {@link HungPeer} on a free loopback port, closed after the test. */
export async function startHungPeer(): Promise<HungPeer> {
  const peer = await startHungServer();
  closeAfterTest(() => peer.close());
  return peer;
}
