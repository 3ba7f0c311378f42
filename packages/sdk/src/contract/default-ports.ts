/**
 * The port each Fleet server listens on unless told otherwise: the servers, their command lines,
 * `fleet up` and the demo fleet file all read this one table.
 */
export const DEFAULT_PORTS = { bus: 8650, knowledge: 8651, dashboard: 8652, deployHook: 8653 } as const;

/** A Fleet server, by what it serves. */
export type FleetServerKind = keyof typeof DEFAULT_PORTS;

/**
 * The URL a client command reaches a server on this machine at unless told otherwise.
 *
 * @example defaultServerUrl('bus') // 'http://127.0.0.1:8650'
 */
export function defaultServerUrl(server: FleetServerKind): string {
  return `http://127.0.0.1:${DEFAULT_PORTS[server]}`;
}
