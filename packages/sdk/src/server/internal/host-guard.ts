import { isIP } from 'node:net';
import type { RouteContract } from '../../contract/route.ts';
import { allowedHostName } from '../allowed-host-name.ts';
import { HttpError } from '../http-error.ts';

/**
 * Whether a route is one the `Host` allow-list guards: one that needs a token when the server has
 * any, or that checks a credential of its own (it may answer `unauthorized`: the dashboard's pages,
 * a webhook). `/health` and `/openapi.json` are open to any host.
 */
export function guardsHost(route: RouteContract): boolean {
  return route.auth !== false || (route.errors?.includes('unauthorized') ?? false);
}

/**
 * The `Host` names a server without tokens answers on its protected routes: IP addresses,
 * `localhost` and `*.localhost`, and the names it was told to allow. A page whose own domain
 * resolves to 127.0.0.1 (DNS rebinding) is same-origin to the browser, so neither CORS nor the
 * cross-site check stops it; its requests still carry that domain in `Host`, and only a name can be
 * rebound: an address or `localhost` cannot.
 */
export class HostGuard {
  readonly #names = new Set<string>();
  readonly #suffixes: string[] = [];
  #any = false;

  /** `allowed`: see {@link allowedHostName} for the forms; throws a `TypeError` on anything else. */
  constructor(allowed: readonly string[]) {
    for (const entry of allowed) this.allow(entry);
  }

  /** Whether every name is allowed (`*`): the guard then refuses nothing. */
  get allowsAny(): boolean {
    return this.#any;
  }

  /** Allows one more entry (same forms as the constructor's). */
  allow(entry: string): void {
    const name = allowedHostName(entry);
    if (name === '*') this.#any = true;
    else if (name.startsWith('.')) this.#suffixes.push(name);
    else this.#names.add(name);
  }

  /** Allows the name a server was bound to, when it is one (an address passes anyway; a bad name fails the bind). */
  allowBound(host: string): void {
    if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) return;
    try {
      this.allow(host);
    } catch {
      // Not a host name: binding it fails with its own message.
    }
  }

  /** Throws 403 `host_not_allowed` when `host` (a `Host` header, port included) names no allowed host. */
  check(host: string | null): void {
    if (this.#any || host === null || host === '') return;
    const name = hostName(host);
    if (name === undefined || this.#allows(name)) return;
    throw new HttpError(
      'host_not_allowed',
      `Refused a request for host "${name}": a server without tokens answers only IP addresses, localhost and the names it allows, so that a web page cannot reach it by rebinding its own domain. Allow the name with --allowed-host ${name} (option allowedHosts), or configure a token.`,
      { details: { field: 'host', host: name } },
    );
  }

  #allows(name: string): boolean {
    if (isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost') || this.#names.has(name)) return true;
    return this.#suffixes.some((suffix) => name.endsWith(suffix) || name === suffix.slice(1));
  }
}

/** The host name of a `Host` header (`name`, `name:port`, `[v6]:port`), lower-cased, without a trailing dot. */
function hostName(host: string): string | undefined {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    return end === -1 ? undefined : name.slice(1, end);
  }
  const colon = name.lastIndexOf(':');
  if (colon !== -1) name = name.slice(0, colon);
  return name.endsWith('.') ? name.slice(0, -1) : name;
}
