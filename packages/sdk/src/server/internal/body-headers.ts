import { HttpError } from '../http-error.ts';

/** The `charset` labels of UTF-8 a JSON body may name (WHATWG's two common ones). */
const UTF8_LABELS: ReadonlySet<string> = new Set(['utf-8', 'utf8']);

/**
 * Checks the `content-type` of a JSON body: `application/json` or any `+json` type, or none at all
 * (older clients send JSON without one), with no `charset` but UTF-8 (any case, quoted or not).
 * Throws 415 `unsupported_media_type` otherwise: a body in another encoding would be misread.
 */
export function checkJsonContentType(contentType: string | null): void {
  if (contentType === null || contentType === '') return;
  const [type = '', ...parameters] = contentType.split(';');
  const mediaType = type.trim().toLowerCase();
  if (mediaType !== 'application/json' && !mediaType.endsWith('+json')) {
    throw new HttpError('unsupported_media_type', `Request body must be application/json, not ${contentType}`, {
      details: { header: 'content-type', value: contentType },
    });
  }
  for (const parameter of parameters) {
    const equals = parameter.indexOf('=');
    if (equals === -1 || parameter.slice(0, equals).trim().toLowerCase() !== 'charset') continue;
    const charset = parameter
      .slice(equals + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (!UTF8_LABELS.has(charset)) {
      throw new HttpError('unsupported_media_type', `Request body must be UTF-8 JSON, not charset=${charset}`, {
        details: { header: 'content-type', value: contentType },
      });
    }
  }
}

/**
 * Checks that a body is sent as it is: a `content-encoding` other than `identity` (gzip, br, ...)
 * is refused with 415 `unsupported_media_type` naming the header, as the server decodes none.
 */
export function checkContentEncoding(contentEncoding: string | null): void {
  if (contentEncoding === null) return;
  const coding = contentEncoding.trim().toLowerCase();
  if (coding === '' || coding === 'identity') return;
  throw new HttpError(
    'unsupported_media_type',
    `Content-Encoding ${contentEncoding} is not supported: send the request body uncompressed`,
    { details: { header: 'content-encoding', value: contentEncoding } },
  );
}
