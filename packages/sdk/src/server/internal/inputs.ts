import { HttpError } from '../http-error.ts';

/**
 * The query string as an object: a key given once maps to its string, a repeated key to an array
 * of its values (`?tag=a&tag=b` -> `{ tag: ['a', 'b'] }`).
 */
export function parseQuery(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  if (search.length <= 1) return query;
  for (const [key, value] of new URLSearchParams(search)) {
    const existing = query[key];
    if (existing === undefined) query[key] = value;
    else if (typeof existing === 'string') query[key] = [existing, value];
    else existing.push(value);
  }
  return query;
}

/** What a malformed percent-escape (`%zz`, a cut UTF-8 sequence such as `%E0%A4`) is called in an answer. */
const MALFORMED_ESCAPE = 'Malformed percent-encoding in the URL path';

/**
 * The 400 `validation_failed` for path parameter `name` holding a malformed percent-escape, shaped
 * as `validateInput` shapes any other invalid parameter: `details.issues` names the field.
 */
export function malformedParamError(name: string, cause?: unknown): HttpError {
  return new HttpError('validation_failed', `${name}: ${MALFORMED_ESCAPE}`, {
    details: { issues: [{ field: name, message: MALFORMED_ESCAPE, code: 'invalid_format' }] },
    cause,
  });
}

/**
 * The 400 for a request h3 refused before routing because its path holds a malformed percent-escape
 * (so no route handler, and no `decodeParams`, ever sees it). `route` is what the router matches for
 * the path as sent: when a parameter the route's path declares holds the bad escape, the error names
 * it; otherwise (no route, or only the catch-all of unmatched paths) it is a plain 400 for the path.
 */
export function malformedPathError(
  route: { data: { route?: string | undefined }; params?: Record<string, string> | undefined } | undefined,
  cause: unknown,
): HttpError {
  const declared = route?.data.route?.match(/:[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
  for (const param of declared) {
    const name = param.slice(1);
    const value = route?.params?.[name];
    if (value !== undefined && decoded(value) === undefined) return malformedParamError(name, cause);
  }
  return new HttpError('validation_failed', MALFORMED_ESCAPE, { cause });
}

/** Route parameters with percent-escapes decoded (`/deadletter/a%20b` -> `{ id: 'a b' }`). */
export function decodeParams(params: Record<string, string> | undefined): Record<string, string> {
  if (params === undefined) return Object.create(null);
  let result: Record<string, string> | undefined;
  for (const key in params) {
    const value = params[key]!;
    if (!value.includes('%')) continue;
    result ??= { ...params };
    const decodedValue = decoded(value);
    if (decodedValue === undefined) throw malformedParamError(key);
    result[key] = decodedValue;
  }
  return result ?? params;
}

/** `value` with its percent-escapes decoded, or undefined when one is malformed. */
function decoded(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
