/**
 * A Fleet server could not start listening: an unsafe bind without tokens, a port in use, or a
 * server that is already listening or closed. The message says what to change.
 */
export class FleetServerStartError extends Error {
  override name = 'FleetServerStartError' as const;
}
