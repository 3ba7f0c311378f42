import type { HTTPResponse } from 'h3';
import type { HttpError } from '../http-error.ts';

/** What a route's handling came to, before it is written as h3's answer or straight to node:http. */
export type RouteOutcome =
  | { type: 'result'; status: number; value: unknown }
  | { type: 'stream'; response: HTTPResponse }
  | { type: 'error'; error: HttpError };
