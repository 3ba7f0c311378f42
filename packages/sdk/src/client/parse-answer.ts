import type { z } from 'zod';
import type { RouteContract, RouteResponse } from '../contract/route.ts';
import { redact } from '../internal/redact.ts';
import { formatIssues } from './format-issues.ts';

/** An answer's body parsed with its route's response schema, or what is wrong with it. */
export type ParsedAnswer<T> =
  | { ok: true; value: T }
  | { ok: false; problem: string; issues: z.core.$ZodIssue[]; cause?: unknown };

/**
 * Decodes a success answer's body (JSON for `json` routes, the text itself for `text` routes) and
 * validates it with the route's response schema. Pure, so it also runs in a worker thread. A body
 * that is not JSON is quoted in the problem, with `secrets` (the client's own credentials) as `***`.
 * `asJson`: decode the text as JSON whatever the route's kind (the data of a stream's event).
 */
export function parseAnswer<R extends RouteContract>(
  route: R,
  text: string,
  secrets: readonly string[] = [],
  asJson = (route.kind ?? 'json') === 'json',
): ParsedAnswer<RouteResponse<R>> {
  let value: unknown = text;
  if (asJson) {
    try {
      value = JSON.parse(text);
    } catch {
      // Redacted before the cut, which could otherwise keep the start of a secret. The parser's
      // error is no cause: its message quotes the start of the body as it is, secrets and all.
      return { ok: false, problem: `not JSON (${redact(text, secrets).slice(0, 80)})`, issues: [] };
    }
  }
  const result = route.response.safeParse(value);
  if (!result.success) {
    return { ok: false, problem: formatIssues(result.error.issues), issues: result.error.issues, cause: result.error };
  }
  return { ok: true, value: result.data as RouteResponse<R> };
}
