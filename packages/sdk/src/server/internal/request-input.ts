import type { IncomingMessage, ServerResponse } from 'node:http';
import { type H3, H3Event } from 'h3';
import type { ServerRequest } from 'srvx';
import { NodeRequest } from 'srvx/node';

/**
 * One request as a compiled route reads it, whichever way it came: through h3 (`fetch`, and every
 * request node:http hands to h3) or straight from node:http (see `direct-routes.ts`). Both wrap
 * the same srvx request, so headers, body, client IP and abort signal read the same either way.
 */
export interface RequestInput {
  /** The request: headers, method, body stream, `signal` (the client went away), runtime. */
  readonly request: ServerRequest;
  /** The query string with its `?`, or `''`. */
  readonly search: string;
  /** The path parameters the router matched; `undefined` for a path without any. */
  params(): Record<string, string> | undefined;
  /** The h3 event, for handlers that read what the contract does not cover; built on first use. */
  event(): H3Event;
}

/** The input of a request h3 routed. */
export function h3Input(event: H3Event): RequestInput {
  return {
    request: event.req,
    search: event.url.search,
    params: () => event.context.params,
    event: () => event,
  };
}

/** The input of a request served straight from node:http. */
export interface NodeRequestInput extends RequestInput {
  /** Whether a handler asked for the h3 event (and so may have set its response status or headers). */
  eventBuilt(): boolean;
}

/**
 * The input of a request served straight from node:http: no URL object, router or h3 event
 * unless a handler asks for `ctx.event`, which then gets one built on the same srvx request.
 */
export function nodeInput(req: IncomingMessage, res: ServerResponse, search: string, app: H3): NodeRequestInput {
  const request = new NodeRequest({ req, res });
  let event: H3Event | undefined;
  return {
    request,
    search,
    params: () => undefined,
    event: () => {
      if (!event) {
        event = new H3Event(request, undefined, app);
        // What h3's router puts in the context of the event it routes.
        const route = app['~findRoute'](event);
        if (route) {
          // As h3 assigns them, `params` too when the path has none (`undefined`).
          (event.context as Record<string, unknown>).params = route.params;
          event.context.matchedRoute = route.data;
        }
      }
      return event;
    },
    eventBuilt: () => event !== undefined,
  };
}
