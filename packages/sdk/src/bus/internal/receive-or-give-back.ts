import { callRoute } from '../../client/call-route.ts';
import type { CallOptions, HttpClient } from '../../client/http-client.ts';
import type { Delivery, ReceiveInputInit, ReceiveResult } from '../../schemas/lease.ts';
import { busRoutes } from '../routes.ts';

/**
 * How long a receive aborted once its answer has begun to arrive keeps reading that answer, so it
 * can give back what the server leased; past it the answer is dropped as before (its messages come
 * back when their lease runs out).
 */
const ANSWER_GRACE_MS = 5000;

/**
 * `POST /receive` that loses no lease to an abort once the answer has begun to arrive (its status
 * and headers are in): the server has leased its messages by then, and dropping the body would hide
 * them until their lease ran out. The body is read to its end (for up to {@link ANSWER_GRACE_MS}),
 * its deliveries handed to `giveBack`, and then the abort reason is thrown as any aborted call
 * throws it. An abort before the answer begins cancels the request at once, as for any call.
 */
export async function receiveOrGiveBack(
  http: HttpClient,
  input: ReceiveInputInit,
  options: CallOptions,
  giveBack: (deliveries: Delivery[]) => Promise<void>,
): Promise<ReceiveResult> {
  const caller = options.signal;
  if (!caller) return callRoute(http, busRoutes.receive, { body: input }, options);
  // What the request follows: the caller's abort until the answer begins, then the grace.
  const call = new AbortController();
  let answering = false;
  let grace: ReturnType<typeof setTimeout> | undefined;
  const onAbort = () => {
    if (answering) grace = setTimeout(() => call.abort(caller.reason), ANSWER_GRACE_MS);
    else call.abort(caller.reason);
  };
  if (caller.aborted) call.abort(caller.reason);
  else caller.addEventListener('abort', onAbort, { once: true });
  // Sees the status and headers arrive: from then on the server has leased what it answers.
  const watched: HttpClient = {
    ...http,
    fetch: (url, init) =>
      http.fetch(url, init).then((response) => {
        answering = true;
        return response;
      }),
  };
  try {
    const result = await callRoute(watched, busRoutes.receive, { body: input }, { ...options, signal: call.signal });
    if (caller.aborted) {
      await giveBack(result.deliveries);
      throw caller.reason;
    }
    return result;
  } catch (error) {
    // Whatever ended the read after the abort (the grace, the deadline), the caller asked to stop.
    throw caller.aborted ? caller.reason : error;
  } finally {
    clearTimeout(grace);
    caller.removeEventListener('abort', onAbort);
  }
}
