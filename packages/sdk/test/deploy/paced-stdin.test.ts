import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientChannel } from 'ssh2';
import { expect, test } from 'vitest';
import { endPaced, PACED_FLOOR_BYTES } from '../../src/deploy/ssh/internal/paced-stdin.ts';
import { until } from './_ssh.ts';

/**
 * A stand-in for ssh2's client channel and the sshd behind it: writes lower `outgoing.window` as
 * ssh2's do; the host takes `bytesPerMs` off the wire and grants them back the way OpenSSH does
 * (once more than 96 KiB are outstanding), or, with `halfWindow`, only once the window is below half.
 */
class FakeChannel extends EventEmitter {
  readonly outgoing: { window: number; state: string };
  destroyed = false;
  ended = false;
  readonly received: Buffer[] = [];
  /** The most that was ever sent and not granted back. */
  maxInFlight = 0;
  readonly #granted: number;
  #onWire = 0;
  #ungranted = 0;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(window: number, bytesPerMs: number, halfWindow = false) {
    super();
    this.outgoing = { window, state: 'open' };
    this.#granted = window;
    this.#timer = setInterval(() => {
      const arrived = Math.min(this.#onWire, bytesPerMs * 5);
      this.#onWire -= arrived;
      this.#ungranted += arrived;
      const grant = halfWindow ? this.outgoing.window < window / 2 : this.#ungranted > 96 * 1024;
      if (grant && this.#ungranted > 0) {
        this.outgoing.window += this.#ungranted;
        this.#ungranted = 0;
      }
    }, 5);
  }

  write(chunk: Buffer): boolean {
    if (chunk.length > this.outgoing.window) throw new Error('written past the window');
    this.outgoing.window -= chunk.length;
    this.#onWire += chunk.length;
    this.received.push(Buffer.from(chunk));
    this.maxInFlight = Math.max(this.maxInFlight, this.#granted - this.outgoing.window);
    return true;
  }

  end(chunk?: Buffer): void {
    if (chunk !== undefined && chunk.length > 0) this.received.push(Buffer.from(chunk));
    this.ended = true;
    this.outgoing.state = 'eof';
    clearInterval(this.#timer);
  }

  close(): void {
    this.outgoing.state = 'closed';
    clearInterval(this.#timer);
    this.emit('close');
  }

  get asChannel(): ClientChannel {
    return this as unknown as ClientChannel;
  }
}

const content = (size: number): Buffer => Buffer.from(Array.from({ length: size }, (_, i) => i % 251));

test('a stdin no larger than the floor, or with keepalive off, is written at once', () => {
  const small = new FakeChannel(2 * 1024 * 1024, 1);
  endPaced(small.asChannel, content(PACED_FLOOR_BYTES), 1_000);
  expect(small.ended && Buffer.concat(small.received).length).toBe(PACED_FLOOR_BYTES);
  const noKeepalive = new FakeChannel(2 * 1024 * 1024, 1);
  endPaced(noKeepalive.asChannel, content(1024 * 1024), undefined);
  expect(noKeepalive.ended && Buffer.concat(noKeepalive.received).length).toBe(1024 * 1024);
});

test('on a slow link no more than the floor is in flight, and every byte arrives in order', async () => {
  // 500 KB/s: what the link moves in a quarter of a 1 s keepalive limit is less than the floor.
  const channel = new FakeChannel(2 * 1024 * 1024, 500);
  const data = content(400 * 1024);
  endPaced(channel.asChannel, data, 1_000);
  expect(channel.ended).toBe(false);
  await until(() => channel.ended);
  expect(Buffer.concat(channel.received).equals(data)).toBe(true);
  expect(channel.maxInFlight).toBe(PACED_FLOOR_BYTES);
});

test('on a fast link what is in flight grows with the rate, up to the whole window', async () => {
  const channel = new FakeChannel(1024 * 1024, 20_000);
  const data = content(4 * 1024 * 1024);
  endPaced(channel.asChannel, data, 4_000);
  await until(() => channel.ended);
  expect(Buffer.concat(channel.received).equals(data)).toBe(true);
  expect(channel.maxInFlight).toBe(1024 * 1024);
});

test('a host that grants window back only below half of it still gets everything', async () => {
  // Nothing comes back until 512 KiB are out: the floor doubles after each keepalive limit without a grant.
  const channel = new FakeChannel(1024 * 1024, 10_000, true);
  const data = content(3 * 1024 * 1024);
  endPaced(channel.asChannel, data, 50);
  await until(() => channel.ended);
  expect(Buffer.concat(channel.received).equals(data)).toBe(true);
});

test('writing stops when the channel closes, and when the returned stop is called', async () => {
  const closed = new FakeChannel(2 * 1024 * 1024, 0);
  endPaced(closed.asChannel, content(1024 * 1024), 1_000);
  closed.close();
  const stopped = new FakeChannel(2 * 1024 * 1024, 0);
  endPaced(stopped.asChannel, content(1024 * 1024), 1_000)();
  await sleep(100);
  for (const channel of [closed, stopped]) {
    expect(Buffer.concat(channel.received).length).toBe(PACED_FLOOR_BYTES);
    expect(channel.ended).toBe(false);
  }
});
