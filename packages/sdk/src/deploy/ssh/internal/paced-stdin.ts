import type { ClientChannel } from 'ssh2';

// Why stdin is paced: ssh2 tells the connection is alive only by its keepalive requests being
// answered, and a request goes out behind every byte already handed to the socket. Writing a large
// stdin at once hands it the whole channel window (2 MiB from OpenSSH), and on a link slower than
// about 0.55 Mbit/s that takes longer to leave than keepalive waits (10 s × 3 by default): ssh2
// ended the connection in the middle of the upload. Node's `drain` does not help, since it fires
// once the bytes are queued in ssh2, not once they are sent. So only what the link moves within a
// part of the keepalive limit is sent ahead: what is in flight is what the host has not granted back
// yet (ssh2's `outgoing.window`, which sshd raises again once it has passed the bytes on to the
// command), so it counts every queue on the way (ssh2's, the socket's, the kernel's, the network's),
// which the socket's `writableLength` or `bytesWritten` alone do not. Pacing here rather than
// uploading over SFTP to a staging file that sudo then moves into place (ssh2 keeps one SFTP write
// request of at most about 255 KiB in flight): the login user can write no temp file beside the
// target, so staging elsewhere would mean a second copy on the host, a second kind of leftover
// holding the content (a secret, maybe) outside the target's directory, and room in that other
// place; one sudo script keeps its checks, limits and cleanup as they are, and a large `run` input
// is paced the same way.

/**
 * Bytes that may always be in flight, whatever the rate: OpenSSH's sshd grants a session channel
 * more window only once more than three of its 32 KiB packets are outstanding, so with less in
 * flight it might never grant any.
 */
export const PACED_FLOOR_BYTES = 128 * 1024;

/** How often the channel's window is looked at while waiting for the host to grant more, in ms. */
const POLL_MS = 10;

/** The shortest span the rate is measured over, in ms: the host grants window in steps (about 128 KiB). */
const MIN_RATE_SPAN_MS = 2_000;

/** The share of keepalive's limit that the bytes in flight may take to leave, at the rate measured. */
const KEEPALIVE_SHARE = 1 / 4;

/** ssh2's record of what the host lets this side send on a channel (`Channel.outgoing`, typed `unknown`). */
interface OutgoingWindow {
  /** Bytes the host still lets this side send: lowered by each write, raised by the host's grants. */
  window: number;
  /** `open` until this side sent its EOF or close. */
  state: string;
}

function outgoingWindow(channel: ClientChannel): OutgoingWindow | undefined {
  const outgoing = channel.outgoing as Partial<OutgoingWindow> | undefined;
  if (typeof outgoing?.window !== 'number' || typeof outgoing.state !== 'string') return undefined;
  return outgoing as OutgoingWindow;
}

/**
 * Writes `data` to the channel's stdin and ends it, keeping no more in flight than the link moves in
 * a quarter of `keepaliveLimitMs` at the rate measured so far (at least {@link PACED_FLOOR_BYTES}, at
 * most the host's window), so that keepalive's requests, sent behind it, are answered in time.
 * `keepaliveLimitMs` is how long ssh2 waits for an answer (interval × count), `undefined` when
 * keepalive is off; with it off, for a small stdin, or when ssh2 no longer shows the window, all is
 * written at once. Returns what stops the writing (the channel's close stops it too).
 */
export function endPaced(
  channel: ClientChannel,
  stdin: string | Buffer,
  keepaliveLimitMs: number | undefined,
): () => void {
  const data = typeof stdin === 'string' ? Buffer.from(stdin, 'utf8') : stdin;
  const outgoing = outgoingWindow(channel);
  // What the host let this side send when the channel opened: sshd raises it back to that much.
  const granted = outgoing?.window ?? 0;
  const unpaced =
    outgoing === undefined ||
    keepaliveLimitMs === undefined ||
    keepaliveLimitMs <= 0 ||
    data.length <= PACED_FLOOR_BYTES ||
    // A window no larger than the floor bounds what is in flight by itself.
    granted <= PACED_FLOOR_BYTES;
  if (unpaced) {
    channel.end(data);
    return () => {};
  }
  const queueMs = keepaliveLimitMs * KEEPALIVE_SHARE;
  const spanMs = Math.max(queueMs, MIN_RATE_SPAN_MS);
  let floor = PACED_FLOOR_BYTES;
  let sent = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const started = performance.now();
  // (time, bytes the host had granted back): the oldest is the last one before the span.
  const samples: Array<{ at: number; acked: number }> = [{ at: started, acked: 0 }];
  let lastGrantAt = started;
  const stop = (): void => {
    stopped = true;
    clearTimeout(timer);
  };
  channel.once('close', stop);
  const step = (): void => {
    if (stopped || outgoing.state !== 'open' || channel.destroyed) {
      stop();
      return;
    }
    const now = performance.now();
    const inFlight = Math.max(0, granted - outgoing.window);
    const acked = sent - inFlight;
    if (acked > samples[samples.length - 1]!.acked) {
      samples.push({ at: now, acked });
      lastGrantAt = now;
    }
    while (samples.length > 1 && samples[1]!.at <= now - spanMs) samples.shift();
    const oldest = samples[0]!;
    const bytesPerMs = now > oldest.at ? (acked - oldest.acked) / (now - oldest.at) : 0;
    const limit = Math.min(granted, Math.max(floor, Math.floor(bytesPerMs * queueMs)));
    const room = Math.min(limit - inFlight, outgoing.window, data.length - sent);
    if (room > 0) {
      channel.write(data.subarray(sent, sent + room));
      sent += room;
    } else if (now - lastGrantAt >= keepaliveLimitMs) {
      // Nothing granted back for all of keepalive's limit, yet keepalive's requests were answered:
      // not the link but the host holds the bytes (a server that grants only at half its window).
      // Bytes it holds delay no keepalive request, so more may be in flight.
      floor = Math.min(granted, floor * 2);
      lastGrantAt = now;
    }
    if (sent >= data.length) {
      stop();
      channel.end();
      return;
    }
    timer = setTimeout(step, POLL_MS);
  };
  step();
  return stop;
}
