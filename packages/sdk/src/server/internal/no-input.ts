import type { IncomingMessage } from 'node:http';
import type { ServerRequest } from 'srvx';
import { z } from 'zod';
import { validateInput } from '../validate.ts';
import { readBodyText } from './body.ts';
import { parseQuery } from './inputs.ts';
import { parseJson } from './parse-json.ts';

/** What a route without a query or body schema accepts: nothing, or an empty JSON object. */
const NOTHING = z.strictObject({});

/**
 * Refuses any query parameter on a route without a query schema, as a strict schema would: 400
 * `validation_failed` naming it (a bare `?` passes).
 */
export function refuseQuery(search: string): undefined {
  if (search.length > 1) validateInput(NOTHING, parseQuery(search), 'query');
  return undefined;
}

/** True when a request comes with a body: a `transfer-encoding`, or a `content-length` other than 0. */
export function hasBody(request: ServerRequest): boolean {
  const nodeReq = request.runtime?.node?.req as IncomingMessage | undefined;
  if (!nodeReq) return request.body !== null;
  const { headers } = nodeReq;
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && Number(length) !== 0;
}

/**
 * Reads the body of a request to a route without a body schema (nor a `documentedBody` its handler
 * reads itself), within `limit`, and refuses it unless it is empty or an empty JSON object (what
 * some clients send with every POST): 400 `invalid_json` when it is not JSON, `validation_failed`
 * naming the field (or `body`) when it is JSON but not `{}`.
 */
export async function refuseBody(request: ServerRequest, limit: number): Promise<void> {
  const text = await readBodyText(request, limit);
  if (text.trim() === '') return;
  validateInput(NOTHING, parseJson(text), 'body');
}
