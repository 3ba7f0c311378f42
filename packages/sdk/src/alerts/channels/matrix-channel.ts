import { z } from 'zod';
import { Token } from '../../fleet/fields.ts';
import type { AlertMessage } from '../alert-message.ts';
import type { AlertChannel } from './alert-channel.ts';
import { HttpUrl, ROOM_HINT } from './internal/fields.ts';
import { sendHttp } from './internal/http-send.ts';
import { escapeHtml, plainText } from './internal/render.ts';

/** A Matrix room, e.g. on the fleet's own Conduit, written to through the client-server API. */
export const MatrixChannelSpec = z.strictObject({
  type: z.literal('matrix'),
  /** The homeserver's client API base URL. @example 'https://matrix.example.org' */
  homeserver: HttpUrl,
  /** The room id (not an alias). @example '!abc123:matrix.example.org' */
  room: z.string({ error: ROOM_HINT }).regex(/^![^:\s]+:\S+$/, ROOM_HINT),
  /** The access token of the user that posts, already joined to the room. */
  accessToken: Token,
});
export type MatrixChannelSpec = z.infer<typeof MatrixChannelSpec>;

// Stricter than encodeURIComponent, which leaves "!" of a room id as it is: the spec's examples
// and every homeserver read %21.
function pathSegment(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function formattedBody(message: AlertMessage): string {
  // A report is a table of aligned columns: it keeps its line breaks and spacing in <pre>.
  const lines =
    message.kind === 'report'
      ? `<pre>${escapeHtml(message.text)}</pre>`
      : escapeHtml(message.text).split('\n').join('<br>');
  const link =
    message.url === undefined ? '' : `<br><a href="${escapeHtml(message.url)}">${escapeHtml(message.url)}</a>`;
  return `<strong>${escapeHtml(message.title)}</strong><br>${lines}${link}`;
}

/**
 * A channel that posts each alert to a Matrix room through the client-server API:
 * `PUT /_matrix/client/v3/rooms/{room}/send/m.room.message/{txnId}` with an `m.text` message
 * (plain `body` and HTML `formatted_body`, a report's text in `<pre>`). The transaction id is the alert's id, so the
 * homeserver keeps one message when a retry sends the same alert again.
 */
export function createMatrixChannel(name: string, spec: MatrixChannelSpec): AlertChannel {
  const base = `${spec.homeserver.replace(/\/+$/, '')}/_matrix/client/v3/rooms/${pathSegment(spec.room)}`;
  return {
    name,
    type: 'matrix',
    send: (message, options) =>
      sendHttp(
        {
          label: `matrix channel "${name}"`,
          channel: name,
          method: 'PUT',
          url: `${base}/send/m.room.message/${pathSegment(message.id)}`,
          headers: { authorization: `Bearer ${spec.accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            msgtype: 'm.text',
            body: `${message.title}\n${plainText(message)}`,
            format: 'org.matrix.custom.html',
            formatted_body: formattedBody(message),
          }),
          secrets: [spec.accessToken],
        },
        options,
      ),
  };
}
