import { type IncomingMessage, request } from 'node:http';

/**
 * Sends `GET path` to the server at `url` and resolves with the answer's head, its body not read:
 * the client's socket stops reading once its buffers are full, so the server's writes back up.
 */
export function openUnread(url: string, path: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    request(new URL(path, url)).once('response', resolve).once('error', reject).end();
  });
}

/** What an event stream sent: the `message` events' data, the `error` event's data, and how it ended. */
export interface StreamRead {
  messages: unknown[];
  error: unknown;
  /** `end`: the answer finished; `closed`: the connection was closed before that. */
  ending: 'end' | 'closed';
}

/** Reads the rest of an event stream answer to its end or to the connection's close. */
export function readStream(res: IncomingMessage): Promise<StreamRead> {
  const read: StreamRead = { messages: [], error: undefined, ending: 'closed' };
  return new Promise((resolve) => {
    let pending = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      pending += chunk;
      let end = pending.indexOf('\n\n');
      while (end !== -1) {
        const event = pending.slice(0, end);
        pending = pending.slice(end + 2);
        end = pending.indexOf('\n\n');
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (event.startsWith('event: error')) read.error = JSON.parse(data!);
        else if (event.startsWith('event: message')) read.messages.push(JSON.parse(data!));
      }
    });
    res.once('end', () => {
      read.ending = 'end';
      resolve(read);
    });
    res.once('error', () => resolve(read));
    res.once('close', () => resolve(read));
  });
}
