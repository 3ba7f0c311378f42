import { maxHeaderSize, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { HttpError } from '../http-error.ts';
import { JSON_CONTENT_TYPE } from './respond.ts';

/** The part of a request a parser error code is about, for `details.issues[].field`. */
function fieldOf(parserCode: string): string {
  if (parserCode === 'HPE_INVALID_METHOD') return 'method';
  if (parserCode === 'HPE_INVALID_URL') return 'url';
  if (/HEADER|CONTENT_LENGTH|TRANSFER_ENCODING|CHUNK/.test(parserCode)) return 'headers';
  return 'request';
}

/** The envelope for an error node:http raised before any route ran, or undefined for a socket error. */
function answerFor(error: NodeJS.ErrnoException): HttpError | undefined {
  const code = error.code ?? '';
  if (code === 'HPE_HEADER_OVERFLOW') {
    return new HttpError(
      'headers_too_large',
      `The request line and headers are longer than the ${maxHeaderSize.toLocaleString('en-US')} bytes the server reads`,
    );
  }
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') {
    return new HttpError('payload_too_large', 'The chunk extensions of the request body are too long');
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new HttpError('request_timeout', 'The request did not arrive in time');
  }
  if (!code.startsWith('HPE_')) return undefined;
  const field = fieldOf(code);
  // llhttp's reason, e.g. "Invalid header value char": fixed texts of the parser, never request bytes.
  const { reason } = error as { reason?: unknown };
  const message = `Malformed HTTP request${typeof reason === 'string' && reason ? `: ${reason}` : ''}`;
  return new HttpError('validation_failed', message, {
    details: { issues: [{ field, message, code: code.toLowerCase() }] },
  });
}

/** The response node:http may already be writing on this connection (a pipelined request's). */
function inFlightResponse(socket: Duplex): ServerResponse | undefined {
  return (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
}

/**
 * node:http's `clientError` listener: answers what its parser refused before any route ran (a
 * malformed request line or header, headers past `maxHeaderSize`, a request that did not arrive
 * in time) with the error envelope and the status node:http would send (400, 431, 413, 408)
 * instead of its bare status line, then closes the connection. Like node:http, it writes nothing
 * when the connection is gone or a response on it has started, and only closes it then; node:http
 * has already put a listener on the socket's later errors.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const answer = socket.writable && !inFlightResponse(socket)?.headersSent ? answerFor(error) : undefined;
  if (!answer) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(answer.toJSON());
  const head =
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}\r\n` +
    `content-type: ${JSON_CONTENT_TYPE}\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    'connection: close\r\n\r\n';
  // As node:http does with its own answer: the parser is gone, so the connection closes at once.
  socket.write(head + body);
  socket.destroy();
}
