import type { RouteContract } from '../../contract/route.ts';
import { HttpError } from '../http-error.ts';

/** Whether a route changes state: every `POST`, `PUT` and `DELETE`, and a `GET` marked `changesState`. */
export function changesState(route: RouteContract): boolean {
  return route.method !== 'GET' || route.changesState === true;
}

/**
 * Refuses (403 `cross_site_request`) a request a browser sent on behalf of another site: one whose
 * `Sec-Fetch-Site` is neither `same-origin` nor `none` (typed or bookmarked), or, from a browser too
 * old to send that, whose `Origin` names another host than the request's `Host`. A page open in any
 * browser on the machine could otherwise write to a server that listens on loopback without tokens
 * (a body without `Content-Type` needs no CORS preflight). Agents, scripts and curl send neither
 * header, so nothing changes for them.
 */
export function refuseCrossSite(headers: Headers): void {
  const site = headers.get('sec-fetch-site');
  if (site !== null) {
    if (site === 'same-origin' || site === 'none') return;
    throw refused(`Sec-Fetch-Site: ${site}`);
  }
  const origin = headers.get('origin');
  if (origin === null) return;
  if (origin !== 'null' && hostOf(origin) === headers.get('host')?.toLowerCase()) return;
  throw refused(`Origin: ${origin}`);
}

function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}

function refused(header: string): HttpError {
  return new HttpError(
    'cross_site_request',
    `Refused a request a browser sent for another site (${header}): this route takes requests from the server's own pages and from clients that are not browsers`,
  );
}
